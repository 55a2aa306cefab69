package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/doctor"
)

// maxPaste bounds what identify reads: an error page with its headers is a
// few kilobytes; a saved page with inline assets, or a browser's HAR export
// of the failing page load, stays below this.
const maxPaste = 32 << 20

type identifyFlags struct {
	json   bool
	format string
}

func newIdentifyCmd(s streams) *cobra.Command {
	var f identifyFlags
	cmd := &cobra.Command{
		Use:   "identify FILE|-",
		Short: "Tell who produced a saved or pasted error page, without a network",
		Long: `identify reads an error page that was saved or pasted: a raw response with its
headers (curl -i, curl -v), the headers alone, the HTML or JSON body, just the
text the browser showed (what people paste into a ticket), a browser's HAR
export (its first entry with a gateway error), or an HTTP client's response
object. It says who produced it
(CDN, load balancer, proxy, application; the product), what the page says,
and the cause and the steps where the page alone tells them, with the same
verdict fields as diagnose. - reads standard input.

Exit codes: 0 the page is not an error page, 1 it is, 2 bad usage, 3 the
file could not be read.`,
		Example: `  gwdoctor identify saved-502.html
  curl -si https://shop.example/ | gwdoctor identify -
  xclip -o | gwdoctor identify - --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("identify takes exactly one FILE, or - for standard input, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIdentify(s, args[0], f)
		},
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the verdict as JSON (schema_version 1); the same as --format-out json")
	cmd.Flags().StringVar(&f.format, "format-out", "text", "the report's format: text, json, markdown or html")
	return cmd
}

func runIdentify(s streams, name string, f identifyFlags) error {
	switch f.format {
	case "text", "json", "markdown", "html":
	default:
		return usagef("unknown --format-out %q: want text, json, markdown or html", f.format)
	}
	data, err := readPaste(s, name)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return usagef("%s is empty: give the page, its headers or its text", name)
	}
	d, _ := doctor.Identify(name, data, time.Now())
	if err := render(s, d, diagnoseFlags{json: f.json, format: f.format}); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if d.Verdict.Failed() {
		return errFailureFound
	}
	return nil
}

// readPaste reads the file, or standard input for "-", up to maxPaste.
func readPaste(s streams, name string) ([]byte, error) {
	var r io.Reader = s.in
	if name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			// The page to read is the command's argument: one that is not
			// there is a wrong use, as a bad URL is.
			return nil, usageError{fmt.Errorf("reading the page: %w", err)}
		}
		defer fh.Close()
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPaste+1))
	if err != nil {
		return nil, fmt.Errorf("reading the page %s: %w", name, err)
	}
	if len(data) > maxPaste {
		return nil, usagef("%s is larger than %d MiB: give the error page itself", name, maxPaste>>20)
	}
	return data, nil
}
