package logscan

import (
	"context"
	"errors"
)

func follow(ctx context.Context, srcs []Source, opt Options, po parseOptions) (*Report, error) {
	return nil, errors.New("follow: not yet")
}
