package lab

import (
	"errors"
	"io"
	"testing"
	"time"
)

// TestFlap: a flapping Healthy upstream answers for its first Flap,
// closes every request like Closed for the next, then answers again.
func TestFlap(t *testing.T) {
	t.Parallel()
	const flap = 400 * time.Millisecond
	u := startUpstream(t, Healthy, UpstreamOptions{Flap: flap})
	at := func(d time.Duration) { time.Sleep(time.Until(u.start.Add(d))) }
	at(flap / 4)
	resp, body, err := get(u.URL(), nil, nil)
	wantOK(t, resp, body, err)
	at(flap + flap/4)
	if _, _, err := get(u.URL(), nil, nil); !errors.Is(err, io.EOF) {
		t.Errorf("in its down half: got %v, want the connection closed (EOF)", err)
	}
	at(2*flap + flap/4)
	resp, body, err = get(u.URL(), nil, nil)
	wantOK(t, resp, body, err)
}
