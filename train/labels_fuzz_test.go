package train

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadLabelRules: arbitrary bytes never panic the labels-file reader;
// every rejection wraps ErrLabels, and every accepted rule is usable (a
// label, a window that does not end before it starts, something that
// narrows it).
func FuzzReadLabelRules(f *testing.F) {
	f.Add([]byte("label\tattacker\tvictim\tstart\tend\nsyn_flood\t*\t10.10.10.10\t2024-01-01T00:00:00Z\t2024-01-01T01:00:00Z\n"))
	f.Add([]byte("port_scan, 203.0.113.0/24, *, *, *\n"))
	f.Add([]byte("x\t::ffff:1.2.3.4\t2001:db8::/32\t*\t*\n# comment\n\n"))
	f.Add([]byte("x\t*\t*\t*\t*\n"))
	f.Add([]byte("\xff\xfe\x00"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "labels.tsv")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		rules, err := ReadLabelRules(path)
		if err != nil {
			if !errors.Is(err, ErrLabels) {
				t.Fatalf("error %v does not wrap ErrLabels", err)
			}
			return
		}
		for _, r := range rules {
			if r.Label == "" || r.Start != 0 && r.End != 0 && r.End < r.Start ||
				!r.Attacker.IsValid() && !r.Victim.IsValid() && r.Start == 0 && r.End == 0 {
				t.Fatalf("accepted an unusable rule %+v", r)
			}
		}
	})
}
