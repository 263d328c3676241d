package osfw

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// IsNotFound reports a 404 from the API.
func IsNotFound(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusNotFound)
}

// StatusOf is the HTTP status of an API error, 0 for other errors.
func StatusOf(err error) int {
	var ue gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &ue) {
		return ue.Actual
	}
	return 0
}

// APIMessage is the message an OpenStack API put in its error body
// ({"NeutronError": {"message": ...}}, {"badRequest": {"message": ...}},
// {"error": {"message": ...}}, ...), else the error's text.
func APIMessage(err error) string {
	var ue gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &ue) {
		return err.Error()
	}
	if msg := messageOf(ue.Body); msg != "" {
		return msg
	}
	body := strings.TrimSpace(string(ue.Body))
	if body == "" || strings.HasPrefix(body, "<") {
		return fmt.Sprintf("%s %s answered %d %s", ue.Method, ue.URL, ue.Actual, http.StatusText(ue.Actual))
	}
	if len(body) > 500 {
		body = body[:500] + "..."
	}
	return body
}

func messageOf(body []byte) string {
	var top map[string]any
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	if m, ok := top["message"].(string); ok {
		return m
	}
	if m, ok := top["faultstring"].(string); ok {
		return m
	}
	for _, k := range SortedKeys(top) {
		if inner, ok := top[k].(map[string]any); ok {
			if m, ok := inner["message"].(string); ok {
				return m
			}
		}
	}
	return ""
}

// quotaNames finds the quota a message names: "Quota exceeded for
// resources: ['network']", "Quota exceeded for cores: ...", "... for quota
// 'volumes'".
var quotaNames = []*regexp.Regexp{
	regexp.MustCompile(`(?i)quota exceeded for resources?:?\s*\[?'?([a-z_\-]+)`),
	regexp.MustCompile(`(?i)quota exceeded for ([a-z_\-]+)`),
	regexp.MustCompile(`(?i)for quota '([a-z_\-]+)'`),
	regexp.MustCompile(`(?i)maximum number of ([a-z_\- ]+?) allowed`),
}

// isQuota reports a quota error: 409 (Neutron), 413 (Nova, Cinder,
// Glance) or 403 (Keystone, and Nova for some quotas) whose message speaks
// of a quota or limit.
func isQuota(status int, msg string) bool {
	if status != http.StatusConflict && status != http.StatusRequestEntityTooLarge && status != http.StatusForbidden {
		return false
	}
	l := strings.ToLower(msg)
	return strings.Contains(l, "quota") || strings.Contains(l, "limit exceeded") || strings.Contains(l, "overlimit") || status == http.StatusRequestEntityTooLarge
}

// Problem describes a failed operation for a diagnostic.
type Problem struct {
	// Action is what failed: "creating openstack_networking_network_v2".
	Action string
	// Project is the project the object lives in, for quota errors.
	Project string
	// Existing is the ID of an object in the way, for conflicts.
	Existing string
	// Path is the attribute the error is about, if any.
	Path cty.Path
}

// Diagnose turns an error into a diagnostic that says what happened and
// what to do: quota errors name the quota and the project, "already
// exists" conflicts suggest importing the object found.
func Diagnose(err error, p Problem) plugins.Diagnostics {
	if err == nil {
		return nil
	}
	var diags plugins.Diagnostics
	var ae *attrError
	if errors.As(err, &ae) {
		return diags.Errorf(ae.path, "Invalid value", "%s", ae.msg)
	}
	status := StatusOf(err)
	msg := APIMessage(err)
	switch {
	case isQuota(status, msg):
		quota := "a quota"
		for _, re := range quotaNames {
			if m := re.FindStringSubmatch(msg); m != nil {
				quota = fmt.Sprintf("the %q quota", strings.TrimSpace(m[1]))
				break
			}
		}
		project := p.Project
		if project == "" {
			project = "the project"
		} else {
			project = fmt.Sprintf("project %s", project)
		}
		return diags.Errorf(p.Path, "Quota exceeded",
			"%s failed: %s of %s is exhausted. Ask the cloud's operators to raise it, or free some objects.\n\nThe API said: %s", cap1(p.Action), quota, project, msg)
	case status == http.StatusConflict && p.Existing != "":
		return diags.Errorf(p.Path, "Object already exists",
			"%s failed: an object with these attributes already exists (ID %s). To manage it with nuvola, import it:\n  nuvola import ADDRESS %s\n\nThe API said: %s", cap1(p.Action), p.Existing, p.Existing, msg)
	case status == http.StatusUnauthorized:
		return diags.Errorf(p.Path, "Authentication failed", "%s failed: the cloud refused the credentials (401). %s", cap1(p.Action), msg)
	case status == http.StatusForbidden:
		return diags.Errorf(p.Path, "Not allowed", "%s failed: the credentials lack the role this needs (403). %s", cap1(p.Action), msg)
	case status != 0:
		return diags.Errorf(p.Path, fmt.Sprintf("Error %s", p.Action), "The API answered %d %s: %s", status, http.StatusText(status), msg)
	}
	return diags.Errorf(p.Path, fmt.Sprintf("Error %s", p.Action), "%s", err)
}

func cap1(s string) string {
	if s == "" {
		return "The operation"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// attrError is an error about one attribute's value.
type attrError struct {
	path cty.Path
	msg  string
}

func (e *attrError) Error() string { return e.msg }

// AttrError returns an error about the named attribute, which becomes a
// diagnostic pointing at it.
func AttrError(name, format string, args ...any) error {
	return &attrError{path: cty.GetAttrPath(name), msg: fmt.Sprintf(format, args...)}
}
