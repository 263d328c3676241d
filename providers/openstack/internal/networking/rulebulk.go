package networking

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Rules of separate openstack_networking_secgroup_rule_v2 resources are
// created as they come, many at once while an estate applies. The
// coalescer gathers the creates that arrive within ruleWindow of each other
// into one bulk request (Neutron takes a list of rules in one POST), so a
// hundred rules cost a few requests instead of a hundred. Neutron refuses
// a bulk request whose rules belong to more than one security group or
// project (SecurityGroupNotSingleGroupRules, SecurityGroupRulesNotSingleTenant),
// so there is one batch per group and project.
const ruleBulkSize = 100

// ruleWindow is how long the first rule of a batch waits for the others. A
// variable so that tests can widen it: on a loaded machine, goroutines that
// start together may reach the coalescer further apart than this.
var ruleWindow = 15 * time.Millisecond

type ruleCoalescer struct {
	sc *gophercloud.ServiceClient

	mu      sync.Mutex
	pending map[ruleBatchKey][]*pendingRule
}

// ruleBatchKey is what the rules of one bulk request share.
type ruleBatchKey struct{ group, project string }

func ruleBatchKeyOf(body map[string]any) ruleBatchKey {
	group, _ := body["security_group_id"].(string)
	project, _ := body["tenant_id"].(string)
	return ruleBatchKey{group, project}
}

type pendingRule struct {
	body map[string]any
	done chan struct{}
	rule sgRule
	err  error
}

type ruleCoalescerKey struct{}

func rulesOf(c *osfw.Client, sc *gophercloud.ServiceClient) *ruleCoalescer {
	return c.Shared(ruleCoalescerKey{}, func() any { return &ruleCoalescer{sc: sc} }).(*ruleCoalescer)
}

// create makes one rule, in a bulk request with the others that come at
// the same time.
func (rc *ruleCoalescer) create(ctx context.Context, body map[string]any) (sgRule, error) {
	pr := &pendingRule{body: body, done: make(chan struct{})}
	key := ruleBatchKeyOf(body)
	rc.mu.Lock()
	if rc.pending == nil {
		rc.pending = map[ruleBatchKey][]*pendingRule{}
	}
	rc.pending[key] = append(rc.pending[key], pr)
	switch len(rc.pending[key]) {
	case ruleBulkSize:
		batch := rc.pending[key]
		delete(rc.pending, key)
		go rc.flush(context.WithoutCancel(ctx), batch)
	case 1:
		time.AfterFunc(ruleWindow, func() {
			rc.mu.Lock()
			batch := rc.pending[key]
			delete(rc.pending, key)
			rc.mu.Unlock()
			if len(batch) > 0 {
				rc.flush(context.WithoutCancel(ctx), batch)
			}
		})
	}
	rc.mu.Unlock()
	// Waiting for the batch is not work: the call's -parallelism slot
	// goes to the next rule meanwhile, so that the rules of a group come
	// together instead of one slot at a time.
	var (
		rule sgRule
		err  error
	)
	plugins.Idle(ctx, func() {
		select {
		case <-pr.done:
			rule, err = pr.rule, pr.err
		case <-ctx.Done():
			err = ctx.Err()
		}
	})
	return rule, err
}

// flush sends a batch: one bulk request, or, when that fails (Neutron
// makes all of a bulk request or none of it), each rule alone so that each
// caller gets its own answer.
func (rc *ruleCoalescer) flush(ctx context.Context, batch []*pendingRule) {
	defer func() {
		for _, pr := range batch {
			close(pr.done)
		}
	}()
	if len(batch) > 1 {
		bodies := make([]map[string]any, len(batch))
		for i, pr := range batch {
			bodies[i] = pr.body
		}
		var resp struct {
			Rules []json.RawMessage `json:"security_group_rules"`
		}
		_, err := rc.sc.Post(ctx, rc.sc.ServiceURL("security-group-rules"), map[string]any{"security_group_rules": bodies}, &resp,
			&gophercloud.RequestOpts{OkCodes: []int{201}})
		if err == nil && len(resp.Rules) == len(batch) {
			for i, pr := range batch {
				pr.err = json.Unmarshal(resp.Rules[i], &pr.rule)
			}
			return
		}
	}
	var wg sync.WaitGroup
	for _, pr := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr.err = postInto(ctx, rc.sc, "security-group-rules", "security_group_rule", pr.body, &pr.rule)
		}()
	}
	wg.Wait()
}
