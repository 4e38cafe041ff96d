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

// Validate reports the first unusable setting, in the order of
// defaults.yaml: windows must be positive, counts at least 1, packet
// allowances, ratios and payload sizes not negative (shares and scores at
// most 1), and ports within 0..65535. Every error wraps [ErrConfig].
func (c Config) Validate() error {
	for _, d := range []struct {
		name string
		v    Duration
	}{
		{"syn-flood.window", c.SYNFlood.Window}, {"icmp-flood.window", c.ICMPFlood.Window},
		{"udp-flood.window", c.UDPFlood.Window}, {"http-flood.window", c.HTTPFlood.Window},
		{"port-scan.window", c.PortScan.Window}, {"dns.heavy_window", c.DNS.HeavyWindow},
		{"dns.tunnel_window", c.DNS.TunnelWindow}, {"dns.nxdomain_window", c.DNS.NXWindow},
		{"amplification.window", c.Amplification.Window},
	} {
		// Windows slide by half their length, which must not be zero.
		if d.v < 2 {
			return fmt.Errorf("%w: %s must be at least 2ns", ErrConfig, d.name)
		}
	}
	for _, n := range []struct {
		name string
		v    int64
	}{
		{"syn-flood.min_syns", c.SYNFlood.MinSYNs}, {"syn-flood.min_syns_per_source", c.SYNFlood.MinSYNsPerSource},
		{"icmp-flood.min_packets", c.ICMPFlood.MinPackets}, {"icmp-flood.min_packets_per_source", c.ICMPFlood.MinPacketsPerSource},
		{"udp-flood.min_packets", c.UDPFlood.MinPackets}, {"udp-flood.min_packets_per_source", c.UDPFlood.MinPacketsPerSource},
		{"http-flood.min_requests", c.HTTPFlood.MinRequests}, {"http-flood.min_requests_per_source", c.HTTPFlood.MinRequestsPerSource},
		{"port-scan.min_ports", c.PortScan.MinPorts}, {"port-scan.min_hosts", c.PortScan.MinHosts},
		{"port-scan.min_udp_ports", c.PortScan.MinUDPPorts}, {"port-scan.min_stealth_ports", c.PortScan.MinStealth},
		{"dns.heavy_min_queries", c.DNS.HeavyMinQueries}, {"dns.tunnel_min_subdomains", c.DNS.TunnelMinSubdomains},
		{"dns.tunnel_min_long_queries", c.DNS.TunnelMinLongQueries}, {"dns.long_label", c.DNS.LongLabel},
		{"dns.tunnel_min_txt", c.DNS.TunnelMinTXT}, {"dns.nxdomain_min", c.DNS.NXMin}, {"dns.nxdomain_min_domains", c.DNS.NXMinDomains},
		{"asymmetric.min_packets", c.Asymmetric.MinPackets},
		{"amplification.min_reflectors", c.Amplification.MinReflectors}, {"amplification.min_bytes", c.Amplification.MinBytes},
		{"amplification.synack_min_reflectors", c.Amplification.SYNACKMinReflectors},
		{"icmp-tunnel.min_packets", c.ICMPTunnel.MinPackets}, {"icmp-tunnel.min_bytes", c.ICMPTunnel.MinBytes},
		{"exfiltration.min_bytes_out", c.Exfiltration.MinBytesOut},
		{"unusual-ports.min_packets", c.UnusualPorts.MinPackets},
		{"beaconing.min_connections", c.Beaconing.MinConnections},
	} {
		if n.v < 1 {
			return fmt.Errorf("%w: %s must be at least 1", ErrConfig, n.name)
		}
	}
	for _, n := range []struct {
		name string
		v    int64
	}{
		{"asymmetric.max_replies", c.Asymmetric.MaxReplies}, {"amplification.max_victim_packets", c.Amplification.MaxVictimPackets},
	} {
		if n.v < 0 {
			return fmt.Errorf("%w: %s must not be negative", ErrConfig, n.name)
		}
	}
	for _, f := range []struct {
		name     string
		v, limit float64 // limit 0: none
	}{
		{"syn-flood.max_port_spread", c.SYNFlood.MaxPortSpread, 1}, {"udp-flood.max_reply_ratio", c.UDPFlood.MaxReplyRatio, 0},
		{"dns.high_entropy", c.DNS.HighEntropy, 0},
		{"icmp-tunnel.min_mean_payload", c.ICMPTunnel.MinMeanPayload, 0}, {"icmp-tunnel.min_payload_std", c.ICMPTunnel.MinPayloadStd, 0},
		{"exfiltration.min_ratio", c.Exfiltration.MinRatio, 0},
	} {
		if !(f.v >= 0) || f.limit > 0 && f.v > f.limit { // !(>=) also rejects NaN
			if f.limit > 0 {
				return fmt.Errorf("%w: %s must be in [0, %g]", ErrConfig, f.name, f.limit)
			}
			return fmt.Errorf("%w: %s must not be negative", ErrConfig, f.name)
		}
	}
	if !(c.Beaconing.MinScore > 0 && c.Beaconing.MinScore <= 1) {
		return fmt.Errorf("%w: beaconing.min_score must be in (0, 1]", ErrConfig)
	}
	for _, l := range []struct {
		name  string
		ports []int32
	}{
		{"amplification.service_ports", c.Amplification.ServicePorts}, {"exfiltration.ports", c.Exfiltration.Ports},
		{"unusual-ports.services", c.UnusualPorts.Services}, {"unusual-ports.suspicious", c.UnusualPorts.Suspicious},
		{"beaconing.exclude_ports", c.Beaconing.ExcludePorts},
	} {
		for _, p := range l.ports {
			if p < 0 || p > 65535 {
				return fmt.Errorf("%w: %s: port %d outside 0..65535", ErrConfig, l.name, p)
			}
		}
	}
	if e := c.UnusualPorts.MinEphemeral; e < 0 || e > 65536 {
		return fmt.Errorf("%w: unusual-ports.min_ephemeral %d outside 0..65536", ErrConfig, e)
	}
	return nil
}
