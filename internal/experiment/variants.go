package experiment

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/diagnose"
)

// item is one piece of the client's state: a header or a cookie.
type item struct {
	name   string // "Cookie: session", "Authorization"
	header string // header name, for a header item
	cookie string // "name=value", for a cookie item
}

// items lists the user's state, cookies first, in a stable order.
func (p *Plan) items() []item {
	var out []item
	for _, c := range p.Cookies {
		name, _, _ := strings.Cut(c, "=")
		out = append(out, item{name: "Cookie: " + strings.TrimSpace(name), cookie: c})
	}
	keys := make([]string, 0, len(p.Header))
	for k := range p.Header {
		if !strings.EqualFold(k, "Cookie") && !strings.EqualFold(k, "Host") {
			keys = append(keys, http.CanonicalHeaderKey(k))
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, item{name: k, header: k})
	}
	return out
}

func stateItems(p Plan) []string {
	var out []string
	for _, it := range p.items() {
		out = append(out, it.name)
	}
	return out
}

// variants replays the request without the client's state and with caches
// bypassed, concurrently with the tries but starting after the last of them.
func (r *runner) variants(ctx context.Context) []diagnose.Variant {
	sleep(ctx, time.Duration(r.plan.Tries)*r.plan.Spacing)
	var out []diagnose.Variant
	var mu sync.Mutex
	var wg sync.WaitGroup
	add := func(v diagnose.Variant) {
		mu.Lock()
		out = append(out, v)
		mu.Unlock()
	}
	if len(r.plan.items()) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.progress("replaying without your cookies and headers")
			u, tag := r.tagged(bust())
			h := r.headers(false, nil, tag)
			noCache(h)
			a := r.attempt(ctx, diagnose.VariantBare, request{url: u, header: h})
			add(diagnose.Variant{Name: diagnose.VariantBare, Change: "no cookies, no extra headers, caches bypassed", Attempt: a})
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.progress("replaying with caches bypassed")
		u, tag := r.tagged(bust())
		h := r.headers(true, r.plan.Cookies, tag)
		noCache(h)
		a := r.attempt(ctx, diagnose.VariantNoCache, request{url: u, header: h})
		add(diagnose.Variant{Name: diagnose.VariantNoCache, Change: "Cache-Control: no-cache, Pragma: no-cache and a unique query parameter", Attempt: a})
	}()
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out
}

// bust is a query parameter that no cache has seen.
func bust() url.Values {
	return url.Values{"_gwdoctor_nocache": {"1"}}
}

func noCache(h http.Header) {
	h.Set("Cache-Control", "no-cache")
	h.Set("Pragma", "no-cache")
}

// needsShrink reports whether the client's state is the trigger: every try
// failed and the bare replay succeeded.
func (r *runner) needsShrink(ev diagnose.Evidence) bool {
	if len(ev.StateItems) == 0 {
		return false
	}
	for _, t := range ev.Tries {
		if !t.Failed() {
			return false
		}
	}
	for _, v := range ev.Variants {
		if v.Name == diagnose.VariantBare {
			return !v.Attempt.Failed()
		}
	}
	return false
}

// shrink finds the items of the client's state that trigger the failure:
// first each item alone; when no single item does, every item whose removal
// makes the failure go away (a combination). Requests run concurrently.
func (r *runner) shrink(ctx context.Context, variants []diagnose.Variant) ([]string, []diagnose.Variant) {
	items := r.plan.items()
	if len(items) > maxShrinkItems {
		items = items[:maxShrinkItems]
	}
	if len(items) == 1 {
		return []string{items[0].name}, variants
	}
	alone := r.trySets(ctx, "only", items, func(i int) []item { return items[i : i+1] })
	var culprits []string
	for i, v := range alone {
		if v.Attempt.Failed() {
			culprits = append(culprits, items[i].name)
		}
	}
	variants = append(variants, alone...)
	if len(culprits) > 0 {
		return culprits, variants
	}
	without := r.trySets(ctx, "without", items, func(i int) []item {
		rest := append([]item(nil), items[:i]...)
		return append(rest, items[i+1:]...)
	})
	for i, v := range without {
		if !v.Attempt.Failed() {
			culprits = append(culprits, items[i].name)
		}
	}
	return culprits, append(variants, without...)
}

// trySets sends one request per item with the state that set(i) returns.
func (r *runner) trySets(ctx context.Context, kind string, items []item, set func(i int) []item) []diagnose.Variant {
	out := make([]diagnose.Variant, len(items))
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			state := set(i)
			var cookies, names []string
			h := http.Header{}
			for _, it := range state {
				names = append(names, it.name)
				if it.cookie != "" {
					cookies = append(cookies, it.cookie)
				} else {
					h[it.header] = r.plan.Header.Values(it.header)
				}
			}
			u, tag := r.tagged(nil)
			full := r.headers(false, cookies, tag)
			for k, vs := range h {
				full[k] = vs
			}
			name := kind + ":" + items[i].name
			a := r.attempt(ctx, name, request{url: u, header: full})
			out[i] = diagnose.Variant{Name: name, Change: kind + " " + items[i].name, Items: names, Attempt: a}
		}()
	}
	wg.Wait()
	return out
}
