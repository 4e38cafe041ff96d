package rules

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultsYAML returns the shipped defaults file, comments included.
func DefaultsYAML() []byte { return bytes.Clone(defaultsYAML) }

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// NS returns the duration in nanoseconds.
func (d Duration) NS() int64 { return int64(d) }

// Config holds every threshold. Field names are the YAML keys.
type Config struct {
	SYNFlood struct {
		Window           Duration `yaml:"window"`
		MinSYNs          int64    `yaml:"min_syns"`
		MinSYNsPerSource int64    `yaml:"min_syns_per_source"`
		MaxPortSpread    float64  `yaml:"max_port_spread"`
	} `yaml:"syn-flood"`
	ICMPFlood struct {
		Window              Duration `yaml:"window"`
		MinPackets          int64    `yaml:"min_packets"`
		MinPacketsPerSource int64    `yaml:"min_packets_per_source"`
	} `yaml:"icmp-flood"`
	UDPFlood struct {
		Window              Duration `yaml:"window"`
		MinPackets          int64    `yaml:"min_packets"`
		MinPacketsPerSource int64    `yaml:"min_packets_per_source"`
		MaxReplyRatio       float64  `yaml:"max_reply_ratio"`
	} `yaml:"udp-flood"`
	HTTPFlood struct {
		Window               Duration `yaml:"window"`
		MinRequests          int64    `yaml:"min_requests"`
		MinRequestsPerSource int64    `yaml:"min_requests_per_source"`
	} `yaml:"http-flood"`
	PortScan struct {
		Window      Duration `yaml:"window"`
		MinPorts    int64    `yaml:"min_ports"`
		MinHosts    int64    `yaml:"min_hosts"`
		MinUDPPorts int64    `yaml:"min_udp_ports"`
		MinStealth  int64    `yaml:"min_stealth_ports"`
	} `yaml:"port-scan"`
	DNS struct {
		HeavyWindow          Duration `yaml:"heavy_window"`
		HeavyMinQueries      int64    `yaml:"heavy_min_queries"`
		TunnelWindow         Duration `yaml:"tunnel_window"`
		TunnelMinSubdomains  int64    `yaml:"tunnel_min_subdomains"`
		TunnelMinLongQueries int64    `yaml:"tunnel_min_long_queries"`
		LongLabel            int64    `yaml:"long_label"`
		HighEntropy          float64  `yaml:"high_entropy"`
		TunnelMinTXT         int64    `yaml:"tunnel_min_txt"`
		NXWindow             Duration `yaml:"nxdomain_window"`
		NXMin                int64    `yaml:"nxdomain_min"`
		NXMinDomains         int64    `yaml:"nxdomain_min_domains"`
	} `yaml:"dns"`
	Asymmetric struct {
		MinPackets int64 `yaml:"min_packets"`
		MaxReplies int64 `yaml:"max_replies"`
	} `yaml:"asymmetric"`
	Amplification struct {
		Window              Duration `yaml:"window"`
		MinReflectors       int64    `yaml:"min_reflectors"`
		MinBytes            int64    `yaml:"min_bytes"`
		MaxVictimPackets    int64    `yaml:"max_victim_packets"`
		ServicePorts        []int32  `yaml:"service_ports"`
		SYNACKMinReflectors int64    `yaml:"synack_min_reflectors"`
	} `yaml:"amplification"`
	ICMPTunnel struct {
		MinPackets     int64   `yaml:"min_packets"`
		MinMeanPayload float64 `yaml:"min_mean_payload"`
		MinPayloadStd  float64 `yaml:"min_payload_std"`
		MinBytes       int64   `yaml:"min_bytes"`
	} `yaml:"icmp-tunnel"`
	Exfiltration struct {
		Ports       []int32 `yaml:"ports"`
		MinBytesOut int64   `yaml:"min_bytes_out"`
		MinRatio    float64 `yaml:"min_ratio"`
	} `yaml:"exfiltration"`
	UnusualPorts struct {
		Services     []int32 `yaml:"services"`
		MinEphemeral int32   `yaml:"min_ephemeral"`
		MinPackets   int64   `yaml:"min_packets"`
		Suspicious   []int32 `yaml:"suspicious"`
	} `yaml:"unusual-ports"`
	Beaconing struct {
		MinConnections int64   `yaml:"min_connections"`
		MinScore       float64 `yaml:"min_score"`
		ExcludePorts   []int32 `yaml:"exclude_ports"`
	} `yaml:"beaconing"`
}

// DefaultConfig returns the shipped defaults (defaults.yaml).
func DefaultConfig() Config {
	var c Config
	if err := decodeStrict(bytes.NewReader(defaultsYAML), &c); err != nil {
		panic("rules: shipped defaults.yaml: " + err.Error()) // a build defect, caught by tests
	}
	return c
}

// LoadConfig returns the defaults overridden by the keys in path.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	if err := decodeStrict(f, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, c.Validate()
}

func decodeStrict(r io.Reader, c *Config) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err != io.EOF {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return nil
}

// Validate reports the first unusable threshold.
func (c Config) Validate() error {
	for name, d := range map[string]Duration{
		"syn-flood.window": c.SYNFlood.Window, "icmp-flood.window": c.ICMPFlood.Window,
		"udp-flood.window": c.UDPFlood.Window, "http-flood.window": c.HTTPFlood.Window,
		"port-scan.window": c.PortScan.Window, "dns.heavy_window": c.DNS.HeavyWindow,
		"dns.tunnel_window": c.DNS.TunnelWindow, "dns.nxdomain_window": c.DNS.NXWindow,
		"amplification.window": c.Amplification.Window,
	} {
		if d <= 0 {
			return fmt.Errorf("%w: %s must be positive", ErrConfig, name)
		}
	}
	for name, v := range map[string]int64{
		"syn-flood.min_syns": c.SYNFlood.MinSYNs, "syn-flood.min_syns_per_source": c.SYNFlood.MinSYNsPerSource,
		"icmp-flood.min_packets": c.ICMPFlood.MinPackets, "udp-flood.min_packets": c.UDPFlood.MinPackets,
		"http-flood.min_requests": c.HTTPFlood.MinRequests, "port-scan.min_ports": c.PortScan.MinPorts,
		"port-scan.min_hosts": c.PortScan.MinHosts, "port-scan.min_stealth_ports": c.PortScan.MinStealth, "dns.heavy_min_queries": c.DNS.HeavyMinQueries,
		"dns.tunnel_min_subdomains": c.DNS.TunnelMinSubdomains, "dns.nxdomain_min": c.DNS.NXMin,
		"asymmetric.min_packets": c.Asymmetric.MinPackets, "amplification.min_reflectors": c.Amplification.MinReflectors,
		"icmp-tunnel.min_packets": c.ICMPTunnel.MinPackets, "exfiltration.min_bytes_out": c.Exfiltration.MinBytesOut,
		"unusual-ports.min_packets": c.UnusualPorts.MinPackets, "beaconing.min_connections": c.Beaconing.MinConnections,
	} {
		if v < 1 {
			return fmt.Errorf("%w: %s must be at least 1", ErrConfig, name)
		}
	}
	if c.Beaconing.MinScore <= 0 || c.Beaconing.MinScore > 1 {
		return fmt.Errorf("%w: beaconing.min_score must be in (0, 1]", ErrConfig)
	}
	return nil
}
