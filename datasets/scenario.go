package datasets

import (
	"math/rand/v2"
	"time"
)

// Event types: the label of the benign background and of each attack.
const (
	Benign                   = "benign"
	AttackSYNFlood           = "syn_flood"
	AttackSYNFloodSpoofed    = "syn_flood_spoofed"
	AttackICMPFlood          = "icmp_flood"
	AttackHTTPFlood          = "http_flood"
	AttackUDPFlood           = "udp_flood"
	AttackPortScanVertical   = "port_scan_vertical"
	AttackPortScanHorizontal = "port_scan_horizontal"
	AttackConnectScan        = "connect_scan"
	AttackUDPScan            = "udp_scan"
	AttackDNSTunnel          = "dns_tunnel"
	AttackExfiltration       = "exfiltration"
	AttackAsymmetricDDoS     = "asymmetric_ddos"
	AttackUnusualPorts       = "unusual_ports"
	AttackDNSAmplification   = "dns_amplification"
	AttackSYNACKReflection   = "synack_reflection"
	AttackBeaconing          = "beaconing"
	AttackICMPTunnel         = "icmp_tunnel"
)

// Scenario describes one named scenario. Each attack scenario has the name
// of its event type.
type Scenario struct {
	Name        string
	Type        string
	Description string
	// DefaultSpan is the attack window at the default settings; zero means
	// the whole capture.
	DefaultSpan time.Duration
}

// attackCtx is what an attack installer works with.
type attackCtx struct {
	g     *gen
	o     *office
	ev    int
	start int64
	end   int64
	scale float64
	r     *rand.Rand
}

// n scales a default count, never below lo.
func (a *attackCtx) n(def float64, lo int) int {
	return max(lo, int(float64(def*a.scale)+0.5))
}

type scenarioDef struct {
	Scenario
	install func(a *attackCtx) Event
}

var scenarioDefs []scenarioDef

func init() {
	scenarioDefs = []scenarioDef{
		{Scenario{Benign, Benign, "office LAN background: web browsing over TLS 1.2/1.3 (HTTP/2), plain HTTP (captive checks, updates, OCSP, redirects, 404s, chunked pages), DNS with CNAME chains, AAAA, MX, TXT and NXDOMAIN, NTP, SSH sessions and copies, ping, IPv6; LAN discovery chatter (mDNS, LLMNR, NetBIOS, SSDP, WS-Discovery, DHCP, router advertisements), syslog, Windows domain services, long-lived sessions seen mid-stream, failed connections (unanswered, refused, blocked QUIC, IPv6 black holes), and in some offices a P2P client", 0}, nil},
		{Scenario{AttackSYNFlood, AttackSYNFlood, "hping3-style SYN flood from one external address to the LAN web server (1,500 SYN/s for 20 s); SYN-cookie SYN-ACKs answer every SYN", 20 * time.Second}, installSYNFlood},
		{Scenario{AttackSYNFloodSpoofed, AttackSYNFloodSpoofed, "SYN flood from random spoofed sources, one SYN per source (2,000 SYN/s for 15 s); the victim answers about 30%", 15 * time.Second}, installSpoofedFlood},
		{Scenario{AttackICMPFlood, AttackICMPFlood, "ping flood from one external address (3,000/s for 15 s, each echoed back) by hping3 or ping -f: no data, 56, 1,400 or 1,472 bytes per request, drawn from the seed", 15 * time.Second}, installICMPFlood},
		{Scenario{AttackHTTPFlood, AttackHTTPFlood, "HTTP GET flood from three bots against the LAN web server (200 requests/s for 30 s, keep-alive, random query strings and User-Agents)", 30 * time.Second}, installHTTPFlood},
		{Scenario{AttackUDPFlood, AttackUDPFlood, "UDP flood of 1,400-byte datagrams to random ports of the LAN web server (3,000/s for 15 s); rate-limited ICMP port-unreachable replies", 15 * time.Second}, installUDPFlood},
		{Scenario{AttackPortScanVertical, AttackPortScanVertical, "nmap -sS of 1,000 ports of the LAN web server from an external address: RST from closed ports, SYN-ACK from open ones answered by the scanner's RST", 10 * time.Second}, installVerticalScan},
		{Scenario{AttackPortScanHorizontal, AttackPortScanHorizontal, "SYN scan of port 22 across three external /24 networks from an infected workstation", 20 * time.Second}, installHorizontalScan},
		{Scenario{AttackConnectScan, AttackConnectScan, "nmap -sT of 200 ports of the LAN file server from a workstation: full handshakes closed with RST on open ports, RST from closed ones", 10 * time.Second}, installConnectScan},
		{Scenario{AttackUDPScan, AttackUDPScan, "nmap -sU of 100 ports of the LAN build server: ICMP port unreachable (rate-limited to about 1/s) from closed ports, answers from open services, retries", 2 * time.Minute}, installUDPScan},
		{Scenario{AttackDNSTunnel, AttackDNSTunnel, "DNS tunnel from a workstation: base32 subdomains of one domain, TXT queries with TXT answers carrying data (15 queries/s for 3 minutes)", 3 * time.Minute}, installDNSTunnel},
		{Scenario{AttackExfiltration, AttackExfiltration, "30 MB upload over TLS to an external server on 443 with small responses", time.Minute}, installExfiltration},
		{Scenario{AttackAsymmetricDDoS, AttackAsymmetricDDoS, "six bots each sending thousands of packets in one TCP or UDP flow to the LAN web server, which answers fewer than ten", 30 * time.Second}, installAsymmetric},
		{Scenario{AttackUnusualPorts, AttackUnusualPorts, "a workstation talking to external hosts on 4444 (reverse shell), 6667 (IRC) and 31337", 5 * time.Minute}, installUnusualPorts},
		{Scenario{AttackDNSAmplification, AttackDNSAmplification, "40 open resolvers sending ~1.3 kB DNS answers to the LAN web server, which never asked (2,000/s for 20 s)", 20 * time.Second}, installDNSAmplification},
		{Scenario{AttackSYNACKReflection, AttackSYNACKReflection, "SYN-ACKs from 30 web servers reflecting spoofed SYNs onto the LAN web server, which answers each with RST (1,000/s for 20 s)", 20 * time.Second}, installSYNACKReflection},
		{Scenario{AttackBeaconing, AttackBeaconing, "a workstation calling an external TLS server at a fixed interval with 20% jitter over the whole capture (every 60 s for captures of an hour or more)", 0}, installBeaconing},
		{Scenario{AttackICMPTunnel, AttackICMPTunnel, "ICMP tunnel: echo requests and replies with large, varied payloads between a workstation and an external host (20/s for 2 minutes)", 2 * time.Minute}, installICMPTunnel},
	}
}

// Scenarios lists every scenario, benign first.
func Scenarios() []Scenario {
	out := make([]Scenario, len(scenarioDefs))
	for i, d := range scenarioDefs {
		out[i] = d.Scenario
	}
	return out
}

func lookupScenario(name string) (scenarioDef, bool) {
	for _, d := range scenarioDefs {
		if d.Name == name {
			return d, true
		}
	}
	return scenarioDef{}, false
}
