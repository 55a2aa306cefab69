package monitor

import (
	"context"
	"fmt"
	"time"
)

// LogWatch finds the episodes of one followed log as its failures come,
// and records them in Sink: the streaming form of Episodes.
type LogWatch struct {
	// Source names the log in the events.
	Source  string
	Options EpisodeOptions
	// Clock defaults to SystemClock; it closes episodes that went quiet
	// while the log said nothing.
	Clock Clock
	Sink  Sink
	// OnError receives the sink's errors; nil drops them.
	OnError func(error)
}

// Run takes failures from in until it is closed or ctx is done; once a
// second it closes an episode that has gone quiet.
func (w LogWatch) Run(ctx context.Context, in <-chan LogFailure) error {
	clock := w.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	t := NewEpisodeTracker(w.Source, w.Options)
	for {
		var evs []Event
		select {
		case <-ctx.Done():
			return nil
		case f, ok := <-in:
			if !ok {
				return nil
			}
			evs = t.Add(f)
		case <-clock.After(time.Second):
			evs = t.Tick(clock.Now())
		}
		for _, ev := range evs {
			if w.Sink == nil {
				continue
			}
			if err := w.Sink.Record(ctx, ev); err != nil && w.OnError != nil {
				w.OnError(fmt.Errorf("recording %s of %s: %w", ev.Kind, w.Source, err))
			}
		}
	}
}
