package report

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds a Chromium to run the page in: $NUVOLA_CHROMIUM, or
// Debian's chromium on PATH.
func chromiumPath() string {
	if p := os.Getenv("NUVOLA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactsDir is where screenshots go: $NUVOLA_ARTIFACTS_DIR, kept after
// the run, or the test's temporary directory.
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("NUVOLA_ARTIFACTS_DIR"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// TestReportInChromium opens the report as a reviewer would, in a real
// browser with no network, and reads what it shows.
func TestReportInChromium(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI needs it (scripts/test.sh installs Debian's chromium)")
		}
		t.Skip("chromium is not installed (Debian: apt-get install chromium)")
	}
	artifacts := artifactsDir(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-gpu", true),
		// No way out: no proxy, no name resolves.
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	if os.Geteuid() == 0 {
		// Chromium's sandbox refuses to run as root.
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	for _, lang := range []Lang{Italian, English} {
		t.Run(string(lang), func(t *testing.T) {
			p := samplePlan(t)
			pg := build(p, Options{Lang: lang, Schemas: testSchemas{}})
			path := filepath.Join(t.TempDir(), "report.html")
			require.NoError(t, os.WriteFile(path, render(t, p, Options{Lang: lang, Schemas: testSchemas{}}), 0o644))

			tab, cancelTab := chromedp.NewContext(browser)
			defer cancelTab()
			var mu sync.Mutex
			var requests []string
			require.NoError(t, chromedp.Listen(tab, func(ev any) {
				if e, ok := ev.(*network.EventRequestWillBeSent); ok {
					mu.Lock()
					requests = append(requests, e.Request.URL)
					mu.Unlock()
				}
			}))
			_, err := chromedp.Call(tab, network.Enable, network.EnableParams{})
			require.NoError(t, err)
			_, err = chromedp.Call(tab, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
			})
			require.NoError(t, err)
			_, err = chromedp.Call(tab, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
			require.NoError(t, err)
			require.NoError(t, chromedp.Do(tab, chromedp.Navigate("file://"+path), chromedp.WaitReady("body")))

			// The summary counts as the browser shows them.
			raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](
				`Object.fromEntries([...document.querySelectorAll('td[data-count]')].map(e => [e.dataset.count, e.innerText.trim()]))`))
			require.NoError(t, err)
			var shownCounts map[string]string
			require.NoError(t, json.Unmarshal(raw, &shownCounts))
			want := map[string]string{"total": strconv.Itoa(pg.Total)}
			for _, c := range pg.Counts {
				want[c.Key] = strconv.Itoa(c.N)
			}
			assert.Equal(t, want, shownCounts)
			assert.Equal(t, "13", shownCounts["total"])
			assert.Equal(t, "2", shownCounts["replace"])

			text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
			require.NoError(t, err)
			for _, s := range secrets {
				assert.NotContains(t, text, s, "a secret is shown on the page")
			}
			assert.Contains(t, text, pg.T("value.sensitive"))
			assert.Contains(t, text, "migration wave 2: the encrypted type arrives in May", "the waiver's reason")

			// The dependency view is drawn: boxes with a size.
			boxes, err := chromedp.Run(tab, chromedp.Evaluate[int](
				`[...document.querySelectorAll('svg.deps rect')].filter(r => r.getBoundingClientRect().width > 100).length`))
			require.NoError(t, err)
			assert.Equal(t, len(pg.Graph.Nodes), boxes)

			// Every style is the page's own: nothing failed to load.
			sheets, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.styleSheets.length`))
			require.NoError(t, err)
			assert.Equal(t, 1, sheets)

			png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			shot := filepath.Join(artifacts, fmt.Sprintf("plan-report-%s.png", lang))
			require.NoError(t, os.WriteFile(shot, png, 0o644))
			t.Logf("screenshot: %s", shot)

			mu.Lock()
			defer mu.Unlock()
			t.Logf("requests: %q", requests)
			for _, u := range requests {
				assert.True(t, strings.HasPrefix(u, "file:") || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "about:"),
					"the page asked the network for %s", u)
			}
		})
	}
}
