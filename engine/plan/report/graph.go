package report

import (
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/nuvola-pa/nuvola/engine/plan"
)

// The dependency view's geometry, in pixels.
const (
	graphPad   = 12
	nodeW      = 300
	nodeH      = 26
	gapX       = 80
	gapY       = 10
	labelChars = 42
	// maxGraphNodes is the most resources the view draws; past it the
	// picture is too large to read, and the changes say the same.
	maxGraphNodes = 2000
)

// graphView is the dependency view of the changed resources: one box per
// resource (all of its changed instances), laid out in columns by the
// longest path from a resource that depends on no other changed one.
type graphView struct {
	Width, Height int
	Nodes         []gnode
	Edges         []gedge
	// Omitted is the number of resources when there are too many to draw.
	Omitted int
	Note    string
}

type gnode struct {
	X, Y, W, H   int
	TextX, TextY int
	Label, Title string
	Action       string
	Href         string
}

type gedge struct {
	D      string
	Action string
}

// graphBuilder gathers the changed resources and what they depend on, in
// one pass over the changes.
type graphBuilder struct {
	index map[string]int
	nodes []*bnode
}

type bnode struct {
	key string
	// short is the address without its module, for a box too narrow for
	// the whole.
	short     string
	action    string
	instances int
	href      string
	deps      map[string]bool
	depOrder  []string
}

func newGraphBuilder() *graphBuilder { return &graphBuilder{index: map[string]int{}} }

func (g *graphBuilder) add(c *plan.ResourceChange, cv *changeView) {
	r := c.Addr.ContainingResource()
	key := r.String()
	i, ok := g.index[key]
	if !ok {
		i = len(g.nodes)
		g.index[key] = i
		g.nodes = append(g.nodes, &bnode{key: key, short: r.Resource.String(), action: cv.Action, href: "#" + cv.ID, deps: map[string]bool{}})
	}
	n := g.nodes[i]
	n.instances++
	if severity[cv.Action] > severity[n.action] {
		n.action = cv.Action
	}
	for _, d := range c.Dependencies {
		k := d.String()
		if !n.deps[k] {
			n.deps[k] = true
			n.depOrder = append(n.depOrder, k)
		}
	}
}

// layout places the resources: each in the column of its longest chain of
// changed dependencies, ordered in its column by where those dependencies
// are. Time and size are linear in resources plus dependencies, bar the
// sort of each column.
func (g *graphBuilder) layout() *graphView {
	n := len(g.nodes)
	if n > maxGraphNodes {
		return &graphView{Omitted: n}
	}
	preds := make([][]int, n)
	succs := make([][]int, n)
	for i, nd := range g.nodes {
		for _, k := range nd.depOrder {
			if j, ok := g.index[k]; ok && j != i {
				preds[i] = append(preds[i], j)
				succs[j] = append(succs[j], i)
			}
		}
	}
	// Longest-path layering over a topological order (Kahn).
	layer := make([]int, n)
	indeg := make([]int, n)
	queue := make([]int, 0, n)
	for i := range g.nodes {
		indeg[i] = len(preds[i])
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	done := make([]bool, n)
	maxLayer := 0
	for h := 0; h < len(queue); h++ {
		u := queue[h]
		done[u] = true
		maxLayer = max(maxLayer, layer[u])
		for _, v := range succs[u] {
			layer[v] = max(layer[v], layer[u]+1)
			if indeg[v]--; indeg[v] == 0 {
				queue = append(queue, v)
			}
		}
	}
	// Dependencies are acyclic; should a cycle slip in, its resources go
	// in a column of their own after the rest.
	if len(queue) < n {
		for i := range g.nodes {
			if !done[i] {
				layer[i] = maxLayer + 1
			}
		}
		maxLayer++
	}

	columns := make([][]int, maxLayer+1)
	for _, i := range queue {
		columns[layer[i]] = append(columns[layer[i]], i)
	}
	for i := range g.nodes {
		if !done[i] {
			columns[layer[i]] = append(columns[layer[i]], i)
		}
	}
	pos := make([]float64, n)
	tallest := 0
	for l, col := range columns {
		if l > 0 {
			bary := make(map[int]float64, len(col))
			for _, i := range col {
				sum, k := 0.0, 0
				for _, j := range preds[i] {
					if layer[j] < l {
						sum += pos[j]
						k++
					}
				}
				if k > 0 {
					bary[i] = sum / float64(k)
				}
			}
			sort.SliceStable(col, func(a, b int) bool {
				if bary[col[a]] != bary[col[b]] {
					return bary[col[a]] < bary[col[b]]
				}
				return col[a] < col[b]
			})
		} else {
			sort.Ints(col)
		}
		for p, i := range col {
			pos[i] = float64(p)
		}
		tallest = max(tallest, len(col))
	}

	v := &graphView{
		Width:  2*graphPad + len(columns)*(nodeW+gapX) - gapX,
		Height: 2*graphPad + tallest*(nodeH+gapY) - gapY,
	}
	x := func(i int) int { return graphPad + layer[i]*(nodeW+gapX) }
	y := func(i int) int { return graphPad + int(pos[i])*(nodeH+gapY) }
	v.Nodes = make([]gnode, 0, n)
	for _, col := range columns {
		for _, i := range col {
			nd := g.nodes[i]
			label, title, count := nd.key, nd.key, ""
			if nd.instances > 1 {
				count = " ×" + strconv.Itoa(nd.instances)
				title += fmt.Sprintf(" (%d)", nd.instances)
			}
			if utf8.RuneCountInString(label+count) > labelChars && nd.short != nd.key {
				label = "…" + nd.short
			}
			label += count
			v.Nodes = append(v.Nodes, gnode{
				X: x(i), Y: y(i), W: nodeW, H: nodeH, TextX: x(i) + 8, TextY: y(i) + nodeH/2 + 4,
				Label: shorten(label, labelChars), Title: title, Action: nd.action, Href: nd.href,
			})
		}
	}
	for i := range g.nodes {
		for _, j := range preds[i] {
			x1, y1 := x(j)+nodeW, y(j)+nodeH/2
			x2, y2 := x(i)-4, y(i)+nodeH/2
			k := gapX * 3 / 5
			v.Edges = append(v.Edges, gedge{
				D:      fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, x1+k, y1, x2-k, y2, x2, y2),
				Action: g.nodes[i].action,
			})
		}
	}
	return v
}

// shorten keeps the end of an address, which names the resource, when it
// is too long for its box.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return "…" + string(r[len(r)-(n-1):])
}
