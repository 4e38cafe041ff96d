package datasets

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// TruthFormat identifies the layout of truth files; it changes when a field
// changes meaning.
const TruthFormat = "flowsift-truth/1"

// Truth is the ground truth of one generated capture.
type Truth struct {
	Format    string   `json:"format"`
	Scenario  string   `json:"scenario"`  // "+"-joined scenario names
	Scenarios []string `json:"scenarios"` // as configured, "benign" included when present
	Seed      uint64   `json:"seed"`
	Scale     float64  `json:"scale"`
	// Scales are the per-scenario overrides of Scale.
	Scales map[string]float64 `json:"scales,omitempty"`
	Start  time.Time          `json:"start"` // configured capture window
	End    time.Time          `json:"end"`
	// FirstPacket and LastPacket bound what was written.
	FirstPacket time.Time `json:"first_packet"`
	LastPacket  time.Time `json:"last_packet"`
	Packets     int64     `json:"packets"`
	Bytes       int64     `json:"bytes"` // frame bytes as captured
	FlowCount   int64     `json:"flow_count"`
	LocalNets   []string  `json:"local_nets"` // the LAN prefixes
	Hosts       []Host    `json:"hosts"`      // LAN hosts
	Events      []Event   `json:"events"`
	// Flows is every connection in first-packet order; nil when
	// Config.OmitFlows is set.
	Flows []FlowTruth `json:"flows,omitempty"`
}

// Host describes one LAN host.
type Host struct {
	Addr  string `json:"addr"`
	Addr6 string `json:"addr6,omitempty"`
	MAC   string `json:"mac"`
	OS    string `json:"os"`
	Role  string `json:"role"` // workstation, server, gateway
	Name  string `json:"name"`
}

// Event is one labelled activity in a capture: the benign background or one
// attack.
type Event struct {
	Type        string `json:"type"` // an Attack* constant or Benign
	Scenario    string `json:"scenario"`
	Description string `json:"description"`
	// Attackers are the addresses that send the attack traffic seen in the
	// capture. For reflection attacks they are the reflectors (Reflected is
	// set): the real attacker never appears. For spoofed floods the list is
	// empty, Spoofed is set and SpoofedSources counts the distinct forged
	// source addresses.
	Attackers      []string `json:"attackers"`
	Reflected      bool     `json:"reflected,omitempty"`
	Spoofed        bool     `json:"spoofed,omitempty"`
	SpoofedSources int64    `json:"spoofed_sources,omitempty"`
	Victims        []string `json:"victims"`
	VictimPorts    []int    `json:"victim_ports,omitempty"`
	// Start and End are the first and last packet of the event.
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Packets int64     `json:"packets"`
	Bytes   int64     `json:"bytes"` // frame bytes
	Flows   int64     `json:"flows"`
	// Details holds scenario parameters (domain, interval, ...).
	Details map[string]string `json:"details,omitempty"`
}

// FlowTruth is the expected flow record of one connection, computed from the
// packets the generator wrote. Orig and Resp follow Zeek: when Zeek would
// flip the direction (see Flipped), Orig is the side that did not send the
// first packet.
type FlowTruth struct {
	TS        time.Time `json:"ts"`     // first packet
	TSEnd     time.Time `json:"ts_end"` // last packet
	Proto     string    `json:"proto"`  // tcp, udp, icmp (ICMPv6 too)
	IPVersion int       `json:"ip_version"`
	OrigH     string    `json:"orig_h"`
	OrigP     int       `json:"orig_p"` // ICMP: type
	RespH     string    `json:"resp_h"`
	RespP     int       `json:"resp_p"` // ICMP: counterpart type, or code for one-way types
	Flipped   bool      `json:"flipped,omitempty"`
	ConnState string    `json:"conn_state"`
	History   string    `json:"history"` // "" where Zeek logs "-" (ICMP)
	// DurationNS is Zeek's duration: up to the last packet before both
	// sides had closed (trailing ACKs excluded).
	DurationNS  int64 `json:"duration_ns"`
	OrigPkts    int64 `json:"orig_pkts"`
	RespPkts    int64 `json:"resp_pkts"`
	OrigIPBytes int64 `json:"orig_ip_bytes"`
	RespIPBytes int64 `json:"resp_ip_bytes"`
	// OrigBytes and RespBytes are transport payload bytes: TCP and UDP
	// payload, ICMP bytes after the 8-byte header. They equal Zeek's
	// sequence-number counts because nothing is retransmitted.
	OrigBytes   int64  `json:"orig_bytes"`
	RespBytes   int64  `json:"resp_bytes"`
	OrigL2Bytes int64  `json:"orig_l2_bytes"`
	RespL2Bytes int64  `json:"resp_l2_bytes"`
	Label       string `json:"label"` // the event's Type
	Event       int    `json:"event"` // index into Truth.Events
	// App is the application protocol carried (dns, http, tls, quic, ssh,
	// ntp, syslog, icmp, irc), empty for raw attack traffic and for
	// protocols without a name here (SSDP, DHCP, SMB, Kerberos, LDAP,
	// BitTorrent) and attempts that carried nothing.
	App string `json:"app,omitempty"`
	// ServerName is the TLS SNI, HTTP host or first DNS query name.
	ServerName string `json:"server_name,omitempty"`
}

// WriteJSON writes t as JSON: the manifest indented, each flow on one line,
// so a capture with thousands of flows stays readable and diffable.
func (t *Truth) WriteJSON(w io.Writer) error {
	head := *t
	head.Flows = nil
	b, err := json.MarshalIndent(&head, "", " ")
	if err != nil {
		return fmt.Errorf("encode truth: %w", err)
	}
	bw := bufio.NewWriter(w)
	if t.Flows == nil {
		bw.Write(b)
		bw.WriteString("\n")
		return flushTruth(bw)
	}
	bw.Write(b[:len(b)-2]) // drop "\n}"
	bw.WriteString(",\n \"flows\": [")
	for i := range t.Flows {
		line, err := json.Marshal(&t.Flows[i])
		if err != nil {
			return fmt.Errorf("encode truth flow %d: %w", i, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n  ")
		bw.Write(line)
	}
	bw.WriteString("\n ]\n}\n")
	return flushTruth(bw)
}

func flushTruth(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write truth: %w", err)
	}
	return nil
}

// ReadTruth reads a truth file written by WriteJSON.
func ReadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("read truth %s: %w", path, err)
	}
	if t.Format != TruthFormat {
		return nil, fmt.Errorf("read truth %s: %w: %q", path, ErrTruthFormat, t.Format)
	}
	return &t, nil
}

// TruthPath returns the truth file that belongs beside a capture:
// "x.pcap" and "x.pcap.gz" both give "x.truth.json".
func TruthPath(capture string) string {
	dir, base := filepath.Split(capture)
	for _, ext := range []string{".gz", ".pcap"} {
		if len(base) > len(ext) && base[len(base)-len(ext):] == ext {
			base = base[:len(base)-len(ext)]
		}
	}
	return filepath.Join(dir, base+".truth.json")
}
