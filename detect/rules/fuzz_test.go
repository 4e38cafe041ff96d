package rules

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadConfig feeds arbitrary YAML to the threshold configuration
// loader: it must never panic, must report every problem as ErrConfig (or
// a read error), and whatever it accepts must pass Validate, so that no
// accepted setting can make a detection divide by zero or loop.
func FuzzLoadConfig(f *testing.F) {
	f.Add(DefaultsYAML())
	f.Add([]byte("syn-flood:\n  window: 5s\n  min-victim-syns: 10\n"))
	f.Add([]byte("port-scan: {window: 1ns}\n"))
	f.Add([]byte("unknown: 1\n"))
	f.Add([]byte("beaconing:\n  exclude-ports: [53, 70000]\n"))
	f.Add([]byte(""))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted a config that Validate rejects: %v", err)
		}
	})
}
