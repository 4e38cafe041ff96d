package sigma

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"evidence", func(c *Config) { c.MaxEvidence = 0 }, "max evidence 0"},
		{"addresses", func(c *Config) { c.MaxAddresses = 0 }, "max addresses 0"},
		{"events", func(c *Config) { c.MaxCorrelationEvents = 0 }, "max correlation events 0"},
		{"file size", func(c *Config) { c.MaxFileBytes = 0 }, "max file bytes 0"},
		{"expansion", func(c *Config) { c.MaxExpansion = 0 }, "max expansion 0"},
		{"placeholder name", func(c *Config) { c.Placeholders = map[string][]string{"%x%": {"a"}} }, `placeholder name "%x%"`},
		{"placeholder values", func(c *Config) { c.Placeholders = map[string][]string{"x": nil} }, `placeholder "x": no values`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.modify(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if _, _, err := LoadConfig(Config{}, packDir); err == nil {
		t.Error("LoadConfig(zero Config) succeeded, want a configuration error")
	}
}
