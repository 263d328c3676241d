package osfw

import "context"

// Metrics reports the API requests made so far, by service, for the host to
// show when the operation ends.
func (p *Provider) Metrics(context.Context) map[string]int64 {
	c := p.Client()
	if c == nil {
		return nil
	}
	return c.Requests()
}
