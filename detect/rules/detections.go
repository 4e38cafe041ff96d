package rules

import (
	"fmt"
	"time"

	"flowsift/detect/alert"
)

// registry lists the detections in a fixed order. Aliases are the
// original tool's switches.
var registry = []Detection{
	{ID: "syn-flood", Name: "SYN flood", Mitre: []string{"T1499.001"}, Severity: alert.SeverityHigh, Needs: "flows", Aliases: []string{"syn-flood"}, run: synFlood,
		Settings: func(c *Config) []string {
			s := c.SYNFlood
			return []string{fmt.Sprintf("window %s", time.Duration(s.Window)), fmt.Sprintf("incomplete SYNs toward one victim >= %d", s.MinSYNs), fmt.Sprintf("or from one source >= %d", s.MinSYNsPerSource), fmt.Sprintf("port spread <= %.2f", s.MaxPortSpread)}
		}},
	{ID: "icmp-flood", Name: "ICMP echo flood", Mitre: []string{"T1498.001"}, Severity: alert.SeverityHigh, Needs: "flows", Aliases: []string{"ping-flood"}, run: icmpFlood,
		Settings: func(c *Config) []string {
			s := c.ICMPFlood
			return []string{fmt.Sprintf("window %s", time.Duration(s.Window)), fmt.Sprintf("echo requests toward one victim >= %d", s.MinPackets), fmt.Sprintf("or from one source >= %d", s.MinPacketsPerSource)}
		}},
	{ID: "udp-flood", Name: "UDP flood", Mitre: []string{"T1498.001"}, Severity: alert.SeverityHigh, Needs: "flows", run: udpFlood,
		Settings: func(c *Config) []string {
			s := c.UDPFlood
			return []string{fmt.Sprintf("window %s", time.Duration(s.Window)), fmt.Sprintf("packets toward one victim >= %d", s.MinPackets), fmt.Sprintf("or from one source >= %d", s.MinPacketsPerSource), fmt.Sprintf("replies / packets <= %.2f", s.MaxReplyRatio)}
		}},
	{ID: "http-flood", Name: "HTTP request flood", Mitre: []string{"T1499.002"}, Severity: alert.SeverityHigh, Needs: "http", Aliases: []string{"http-get"}, run: httpFlood,
		Settings: func(c *Config) []string {
			s := c.HTTPFlood
			return []string{fmt.Sprintf("window %s", time.Duration(s.Window)), fmt.Sprintf("requests toward one server >= %d", s.MinRequests), fmt.Sprintf("or from one source >= %d", s.MinRequestsPerSource)}
		}},
	{ID: "port-scan", Name: "Port scan", Mitre: []string{"T1046"}, Severity: alert.SeverityMedium, Needs: "flows", Aliases: []string{"ports-scanner"}, run: portScan,
		Settings: func(c *Config) []string {
			s := c.PortScan
			return []string{fmt.Sprintf("window %s", time.Duration(s.Window)), fmt.Sprintf("vertical: distinct ports of one host >= %d", s.MinPorts), fmt.Sprintf("horizontal: distinct hosts on one port >= %d", s.MinHosts), fmt.Sprintf("UDP: distinct unanswered ports >= %d", s.MinUDPPorts), fmt.Sprintf("stealth (FIN/NULL/Xmas) ports >= %d", s.MinStealth)}
		}},
	{ID: "dns-heavy", Name: "Heavy DNS user", Mitre: []string{"T1071.004"}, Severity: alert.SeverityLow, Needs: "dns", Aliases: []string{"dns-users"}, run: dnsHeavy,
		Settings: func(c *Config) []string {
			return []string{fmt.Sprintf("window %s", time.Duration(c.DNS.HeavyWindow)), fmt.Sprintf("queries from one client >= %d", c.DNS.HeavyMinQueries)}
		}},
	{ID: "dns-tunnel", Name: "DNS tunnelling", Mitre: []string{"T1071.004", "T1048.003"}, Severity: alert.SeverityHigh, Needs: "dns", run: dnsTunnel,
		Settings: func(c *Config) []string {
			s := c.DNS
			return []string{fmt.Sprintf("window %s", time.Duration(s.TunnelWindow)), fmt.Sprintf("distinct names under one domain >= %d (with signs of encoding)", s.TunnelMinSubdomains), fmt.Sprintf("or long (>= %d) high-entropy (>= %.1f) queries >= %d", s.LongLabel, s.HighEntropy, s.TunnelMinLongQueries), fmt.Sprintf("or TXT/NULL queries >= %d", s.TunnelMinTXT)}
		}},
	{ID: "nxdomain-storm", Name: "NXDOMAIN storm", Mitre: []string{"T1568.002"}, Severity: alert.SeverityMedium, Needs: "dns", run: nxdomainStorm,
		Settings: func(c *Config) []string {
			s := c.DNS
			return []string{fmt.Sprintf("window %s", time.Duration(s.NXWindow)), fmt.Sprintf("NXDOMAIN answers to one client >= %d", s.NXMin), fmt.Sprintf("for distinct names >= %d", s.NXMinDomains)}
		}},
	{ID: "asymmetric", Name: "Asymmetric flows (possible DoS)", Mitre: []string{"T1498"}, Severity: alert.SeverityMedium, Needs: "flows", Aliases: []string{"asymmetrical-flows"}, run: asymmetric,
		Settings: func(c *Config) []string {
			return []string{fmt.Sprintf("packets one way in a flow >= %d", c.Asymmetric.MinPackets), fmt.Sprintf("replies <= %d", c.Asymmetric.MaxReplies)}
		}},
	{ID: "amplification", Name: "Reflection and amplification", Mitre: []string{"T1498.002"}, Severity: alert.SeverityHigh, Needs: "flows", run: amplification,
		Settings: func(c *Config) []string {
			s := c.Amplification
			return []string{fmt.Sprintf("window %s", time.Duration(s.Window)), fmt.Sprintf("reflectors >= %d sending >= %d bytes", s.MinReflectors, s.MinBytes), fmt.Sprintf("victim packets per reflector <= %d", s.MaxVictimPackets), fmt.Sprintf("service ports %v", s.ServicePorts), fmt.Sprintf("SYN-ACK reflectors >= %d", s.SYNACKMinReflectors)}
		}},
	{ID: "icmp-tunnel", Name: "ICMP tunnelling", Mitre: []string{"T1095"}, Severity: alert.SeverityHigh, Needs: "flows", run: icmpTunnel,
		Settings: func(c *Config) []string {
			s := c.ICMPTunnel
			return []string{fmt.Sprintf("echo packets in a flow >= %d", s.MinPackets), fmt.Sprintf("mean payload >= %.0f or payload std >= %.0f", s.MinMeanPayload, s.MinPayloadStd), fmt.Sprintf("payload bytes >= %d", s.MinBytes)}
		}},
	{ID: "exfiltration", Name: "Large upload (exfiltration)", Mitre: []string{"T1048"}, Severity: alert.SeverityMedium, Needs: "flows", Aliases: []string{"large-flow"}, run: exfiltration,
		Settings: func(c *Config) []string {
			s := c.Exfiltration
			return []string{fmt.Sprintf("ports %v", s.Ports), fmt.Sprintf("bytes out in a flow >= %d", s.MinBytesOut), fmt.Sprintf("upload / download >= %.1f", s.MinRatio)}
		}},
	{ID: "unusual-ports", Name: "Unusual ports", Mitre: []string{"T1571"}, Severity: alert.SeverityLow, Needs: "flows", Aliases: []string{"unusual-ports"}, run: unusualPorts,
		Settings: func(c *Config) []string {
			s := c.UnusualPorts
			return []string{fmt.Sprintf("packets in TCP flows with data to ports outside the %d listed services and below %d: >= %d per source", len(s.Services), s.MinEphemeral, s.MinPackets), fmt.Sprintf("medium severity for ports %v", s.Suspicious)}
		}},
	{ID: "beaconing", Name: "Beaconing", Mitre: []string{"T1071"}, Severity: alert.SeverityMedium, Needs: "flows", run: beaconing,
		Settings: func(c *Config) []string {
			s := c.Beaconing
			return []string{fmt.Sprintf("connections between a pair >= %d", s.MinConnections), fmt.Sprintf("RITA score >= %.2f", s.MinScore), fmt.Sprintf("ports excluded %v", s.ExcludePorts)}
		}},
}
