package detect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSigmaWarnings: a user's rule file that cannot run must say so, not
// look like a quiet network.
func TestSigmaWarnings(t *testing.T) {
	out := extractCapture(t, filepath.Join("..", "testdata", "realtools", "benign-web.pcap.gz"))
	rules := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(rules, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	invalid := write("bad.yml", "title: bad\nlogsource: {category: dns}\ndetection:\n  sel: {query: x}\n  condition: nope\n")
	host := write("proc.yml", "title: process\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel: {Image: x}\n  condition: sel\n")
	good := write("dns.yml", "title: dns\nlogsource: {category: dns}\ndetection:\n  sel: {query: x}\n  condition: sel\n")
	for _, c := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"invalid", []string{invalid}, []string{`invalid rule "bad"`, "none of the 1 rules"}},
		{"host telemetry only", []string{host}, []string{"none of the 1 rules"}},
		{"one of two skipped", []string{host, good}, []string{"1 of 2 rules skipped"}},
		{"all run", []string{good}, nil},
		{"empty directory", []string{t.TempDir()}, []string{"no rules found"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			cfg := DefaultConfig()
			cfg.Dir, cfg.OutDir, cfg.NoRules, cfg.SigmaPaths = out, t.TempDir(), true, c.paths
			cfg.Warn = func(err error) { got = append(got, err.Error()) }
			if _, _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(got, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", got, w)
				}
			}
			if c.want == nil && len(got) > 0 {
				t.Errorf("warnings %q, want none", got)
			}
		})
	}
}
