package features

import (
	"errors"
	"math"
	"testing"
)

func TestNamesMatchBuildOrder(t *testing.T) {
	names := Names(DefaultConfig())
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("feature %q listed twice", n)
		}
		seen[n] = true
	}
	for _, banned := range []string{"orig_p", "resp_p", "orig_ttl_min", "orig_init_win", "ts", "orig_h"} {
		if seen[banned] {
			t.Errorf("identity shortcut %q is a default feature", banned)
		}
	}
	withShortcuts := Names(Config{Shortcuts: true, HostWindowSeconds: 60})
	if len(withShortcuts) != len(names)+8 {
		t.Errorf("shortcuts add %d features, want 8", len(withShortcuts)-len(names))
	}
}

func TestSchemaEqual(t *testing.T) {
	a := Schema{Version: SchemaVersion, Names: []string{"x", "y"}}
	tests := []struct {
		name string
		b    Schema
		ok   bool
	}{
		{"same", Schema{Version: SchemaVersion, Names: []string{"x", "y"}}, true},
		{"version", Schema{Version: "other", Names: []string{"x", "y"}}, false},
		{"order", Schema{Version: SchemaVersion, Names: []string{"y", "x"}}, false},
		{"missing", Schema{Version: SchemaVersion, Names: []string{"x"}}, false},
		{"extra", Schema{Version: SchemaVersion, Names: []string{"x", "y", "z"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := a.Equal(tt.b); (err == nil) != tt.ok {
				t.Errorf("Equal() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestRatioNaN(t *testing.T) {
	if v := ratio(1, 0); !math.IsNaN(float64(v)) {
		t.Errorf("ratio(1, 0) = %v, want NaN", v)
	}
	if v := ratio(1, 4); v != 0.25 {
		t.Errorf("ratio(1, 4) = %v, want 0.25", v)
	}
}

func TestConfigForRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		DefaultConfig(),
		{Shortcuts: true, HostWindowSeconds: 60},
		{HostWindowSeconds: 30},
		{Shortcuts: true, HostWindowSeconds: 300},
	} {
		s := SchemaFor(cfg)
		got, err := ConfigFor(s)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		if got != cfg {
			t.Errorf("ConfigFor(SchemaFor(%+v)) = %+v", cfg, got)
		}
	}
	if SchemaFor(DefaultConfig()).Version != SchemaVersion {
		t.Errorf("default schema version %q, want %q", SchemaFor(DefaultConfig()).Version, SchemaVersion)
	}
	bad := []Schema{
		{Version: "other-1", Names: Names(DefaultConfig())},
		{Version: SchemaVersion + "+window=0s", Names: Names(DefaultConfig())},
		{Version: SchemaVersion + "+colour", Names: Names(DefaultConfig())},
		{Version: SchemaVersion, Names: Names(DefaultConfig())[1:]},
		{Version: SchemaVersion + "+shortcuts", Names: Names(DefaultConfig())},
	}
	for _, s := range bad {
		if _, err := ConfigFor(s); !errors.Is(err, ErrSchema) {
			t.Errorf("ConfigFor(%q, %d names) = %v, want ErrSchema", s.Version, len(s.Names), err)
		}
	}
}
