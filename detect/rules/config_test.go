package rules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadConfigValid: the shipped file loads, validates and equals
// DefaultConfig; an override file changes only the keys it names.
func TestLoadConfigValid(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
	tests := []struct {
		name string
		yaml string
		want func(*Config)
	}{
		{name: "the shipped defaults.yaml", yaml: string(DefaultsYAML())},
		{name: "empty file", yaml: ""},
		{name: "comments only", yaml: "# nothing changed\n"},
		{name: "one key", yaml: "syn-flood:\n  min_syns: 2000\n",
			want: func(c *Config) { c.SYNFlood.MinSYNs = 2000 }},
		{name: "a window and a list", yaml: "port-scan:\n  window: 90s\nexfiltration:\n  ports: [443]\n",
			want: func(c *Config) {
				c.PortScan.Window = Duration(90 * time.Second)
				c.Exfiltration.Ports = []int32{443}
			}},
		{name: "zero allowances are valid", yaml: "asymmetric:\n  max_replies: 0\namplification:\n  max_victim_packets: 0\nudp-flood:\n  max_reply_ratio: 0\n",
			want: func(c *Config) {
				c.Asymmetric.MaxReplies, c.Amplification.MaxVictimPackets, c.UDPFlood.MaxReplyRatio = 0, 0, 0
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadConfig(writeConfig(t, tt.yaml))
			if err != nil {
				t.Fatalf("LoadConfig() error = %v", err)
			}
			want := DefaultConfig()
			if tt.want != nil {
				tt.want(&want)
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("LoadConfig() (-got, +want):\n%s", diff)
			}
		})
	}
}

// TestLoadConfigInvalid: every unusable value, unknown detection and
// unknown key is rejected with ErrConfig, naming the setting.
func TestLoadConfigInvalid(t *testing.T) {
	tests := []struct {
		yaml string
		want string // in the error message
	}{
		// Unknown detections and keys, wrong types.
		{"syn-fload:\n  min_syns: 10\n", "syn-fload"},
		{"syn-flood:\n  min_synz: 10\n", "min_synz"},
		{"syn-flood:\n  min_syns: lots\n", "lots"},
		{"syn-flood:\n  window: 10\n", "missing unit"},
		{"syn-flood:\n  window: ten seconds\n", "ten seconds"},
		{"- syn-flood\n", "cannot unmarshal"},
	}
	// Windows: zero and negative.
	for _, k := range []string{"syn-flood.window", "icmp-flood.window", "udp-flood.window", "http-flood.window", "port-scan.window",
		"dns.heavy_window", "dns.tunnel_window", "dns.nxdomain_window", "amplification.window"} {
		tests = append(tests, struct{ yaml, want string }{yamlKey(k, "0s"), k}, struct{ yaml, want string }{yamlKey(k, "-10s"), k})
	}
	// Counts: zero and negative.
	for _, k := range []string{"syn-flood.min_syns", "syn-flood.min_syns_per_source", "icmp-flood.min_packets", "icmp-flood.min_packets_per_source",
		"udp-flood.min_packets", "udp-flood.min_packets_per_source", "http-flood.min_requests", "http-flood.min_requests_per_source",
		"port-scan.min_ports", "port-scan.min_hosts", "port-scan.min_udp_ports", "port-scan.min_stealth_ports",
		"dns.heavy_min_queries", "dns.tunnel_min_subdomains", "dns.tunnel_min_long_queries", "dns.long_label", "dns.tunnel_min_txt",
		"dns.nxdomain_min", "dns.nxdomain_min_domains", "asymmetric.min_packets", "amplification.min_reflectors", "amplification.min_bytes",
		"amplification.synack_min_reflectors", "icmp-tunnel.min_packets", "icmp-tunnel.min_bytes", "exfiltration.min_bytes_out",
		"unusual-ports.min_packets", "beaconing.min_connections"} {
		tests = append(tests, struct{ yaml, want string }{yamlKey(k, "0"), k}, struct{ yaml, want string }{yamlKey(k, "-1"), k})
	}
	// Allowances, ratios and sizes: negative (and NaN).
	for _, k := range []string{"asymmetric.max_replies", "amplification.max_victim_packets", "syn-flood.max_port_spread", "udp-flood.max_reply_ratio",
		"dns.high_entropy", "icmp-tunnel.min_mean_payload", "icmp-tunnel.min_payload_std", "exfiltration.min_ratio"} {
		tests = append(tests, struct{ yaml, want string }{yamlKey(k, "-1"), k})
	}
	for _, k := range []string{"syn-flood.max_port_spread", "udp-flood.max_reply_ratio", "exfiltration.min_ratio", "beaconing.min_score"} {
		tests = append(tests, struct{ yaml, want string }{yamlKey(k, ".nan"), k})
	}
	tests = append(tests, []struct{ yaml, want string }{
		{yamlKey("syn-flood.max_port_spread", "1.5"), "syn-flood.max_port_spread"},
		{yamlKey("beaconing.min_score", "0"), "beaconing.min_score"},
		{yamlKey("beaconing.min_score", "1.01"), "beaconing.min_score"},
		// Ports.
		{yamlKey("amplification.service_ports", "[53, 70000]"), "amplification.service_ports"},
		{yamlKey("exfiltration.ports", "[-1]"), "exfiltration.ports"},
		{yamlKey("unusual-ports.services", "[65536]"), "unusual-ports.services"},
		{yamlKey("unusual-ports.suspicious", "[-4444]"), "unusual-ports.suspicious"},
		{yamlKey("beaconing.exclude_ports", "[53, 99999]"), "beaconing.exclude_ports"},
		{yamlKey("unusual-ports.min_ephemeral", "-1"), "unusual-ports.min_ephemeral"},
		{yamlKey("unusual-ports.min_ephemeral", "65537"), "unusual-ports.min_ephemeral"},
	}...)
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(strings.TrimSpace(tt.yaml), "\n", " "), func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tt.yaml))
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("LoadConfig(%q) error = %v, want ErrConfig", tt.yaml, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig(%q) error = %q, want it to name %q", tt.yaml, err, tt.want)
			}
		})
	}
}

// yamlKey writes "section.key: value" as an override file.
func yamlKey(key, value string) string {
	section, name, _ := strings.Cut(key, ".")
	return section + ":\n  " + name + ": " + value + "\n"
}

// TestValidateZeroConfig: a Config built in code without values (not
// from defaults.yaml) is rejected, not run with zero thresholds.
func TestValidateZeroConfig(t *testing.T) {
	if err := (Config{}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("Config{}.Validate() = %v, want ErrConfig", err)
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadConfig(absent) error = %v, want fs.ErrNotExist", err)
	}
}
