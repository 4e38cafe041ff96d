package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"flowsift/extract"
)

func TestProgressLine(t *testing.T) {
	for _, c := range []struct {
		read, total int64
		elapsed     time.Duration
		want        string
	}{
		{0, 1000, 0, "ETA --"},
		{250, 1000, 10 * time.Second, "ETA 30s"},
		{180, 1000, 18 * time.Second, "ETA 1m22s"},
		{1000, 1000, 5 * time.Second, "ETA 0s"},
	} {
		var out bytes.Buffer
		b := &progressBar{w: &out}
		b.update(extract.Progress{BytesRead: c.read, BytesTotal: c.total, Elapsed: c.elapsed, Packets: 100})
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("%d of %d bytes after %v: %q, want it to say %q", c.read, c.total, c.elapsed, out.String(), c.want)
		}
	}
}

// TestHelpForms: every way of asking for help prints it and exits 0;
// "help help" once recursed until the stack overflowed.
func TestHelpForms(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "help"}, {"help", "--help"}, {"--help", "--help"},
		{"help", "extract"}, {"help", "sigma", "check"}} {
		code, out, errs := runCLI(t, args...)
		if code != exitOK || !strings.Contains(out, "Usage: flowsift") {
			t.Errorf("flowsift %s: exit %d, stdout %.80q, stderr %.80q; want exit 0 and usage", strings.Join(args, " "), code, out, errs)
		}
	}
	if _, out, _ := runCLI(t, "help", "sigma", "check"); !strings.Contains(out, "flowsift sigma check") {
		t.Errorf("help sigma check printed %.120q, want the check subcommand's usage", out)
	}
}
