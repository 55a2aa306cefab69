package target

import (
	"context"
	"testing"
)

// TestVisit goes the whole way a visitor's browser goes: a bare address,
// the scheme that answers, and the redirects to the page.
func TestVisit(t *testing.T) {
	st := newSite(t)
	tg, err := Parse("A.TEST:" + st.a + "/rel/a")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	opts := st.options()
	choice, err := ChooseScheme(context.Background(), tg.Candidates, SchemeOptions{Send: opts.Send, Timeout: testTimeout})
	if err != nil {
		t.Fatalf("ChooseScheme: %v", err)
	}
	if want := "http://a.test:" + st.a + "/rel/a"; choice.URL != want || !choice.Fallback {
		t.Fatalf("chose %s (fallback %v); want %s, a fallback", choice.URL, choice.Fallback, want)
	}
	ch, err := Follow(context.Background(), choice.URL, opts)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if got, want := st.short.Replace(ch.Final), "A/rel/b"; ch.End != EndFinal || got != want {
		t.Errorf("end, final = %s, %s; want %s, %s", ch.End, got, EndFinal, want)
	}
}
