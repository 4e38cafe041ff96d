package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"time"
)

// Limits of a live capture configuration.
const (
	// DefaultSnapLen is libpcap's maximum snap length: whole packets,
	// including the merged frames of segmentation offload.
	DefaultSnapLen = 262144
	// MaxFilterPorts and MaxFilterHosts bound the filter so that its
	// program stays within the kernel's 4096 instructions.
	MaxFilterPorts = 128
	MaxFilterHosts = 128
)

// LiveConfig configures [Live].
//
// # Filter
//
// Ports and Hosts select what the kernel hands over, with the meaning of
// tcpdump's "(port P1 or port P2) and (host H1 or host H2)"; an empty list
// does not restrict, and with both empty every frame is captured (ARP and
// other non-IP frames included). With a list set:
//
//   - Frames are Ethernet with up to two VLAN tags (802.1Q, 802.1ad or
//     0x9100, in any order) before IPv4 or IPv6, or raw IP on interfaces
//     without a link header (tun, WireGuard). Non-IP frames are not kept.
//   - A host matches the source or the destination address. An
//     IPv4-mapped IPv6 host (::ffff:a.b.c.d) means the IPv4 address.
//   - A port matches the source or destination port of TCP, UDP or SCTP.
//   - IPv4 fragments after the first carry no ports: they are kept when
//     their protocol is TCP, UDP or SCTP (and a host filter, if any,
//     matches), so that a fragmented datagram to a filtered port is
//     captured whole. The price is that later fragments to other ports
//     are kept too.
//   - IPv6: up to four extension headers (hop-by-hop, routing,
//     destination options, authentication, fragment) are walked to reach
//     the transport header. IPv6 fragments are treated like IPv4 ones: the
//     first is judged by its ports, later ones are kept when the fragment
//     header names TCP, UDP or SCTP. A longer chain, ESP, or any other
//     next header has no visible port and is not kept by a port filter.
type LiveConfig struct {
	// Interface is the name of the interface to capture on.
	Interface string
	// Duration is how long to capture; 0 captures until the context ends.
	Duration time.Duration
	// Ports, when set, keeps only packets to or from these ports.
	Ports []uint16
	// Hosts, when set, keeps only packets to or from these addresses.
	Hosts []netip.Addr
	// SnapLen is the most bytes kept of each packet (1 to DefaultSnapLen).
	SnapLen int
	// Promiscuous also captures frames not addressed to this host.
	Promiscuous bool
	// Output is the pcap file to write; it must not exist.
	Output string
}

// DefaultLiveConfig returns the defaults: whole packets, promiscuous mode.
func DefaultLiveConfig() LiveConfig {
	return LiveConfig{SnapLen: DefaultSnapLen, Promiscuous: true}
}

// Validate reports the first problem with c.
func (c LiveConfig) Validate() error {
	switch {
	case c.Interface == "":
		return errors.New("no interface given")
	case c.Output == "":
		return errors.New("no output file given")
	case c.Duration < 0:
		return fmt.Errorf("negative duration %s", c.Duration)
	case c.SnapLen < 1 || c.SnapLen > DefaultSnapLen:
		return fmt.Errorf("snap length %d outside 1..%d", c.SnapLen, DefaultSnapLen)
	case len(c.Ports) > MaxFilterPorts:
		return fmt.Errorf("%d ports in the filter, at most %d", len(c.Ports), MaxFilterPorts)
	case len(c.Hosts) > MaxFilterHosts:
		return fmt.Errorf("%d hosts in the filter, at most %d", len(c.Hosts), MaxFilterHosts)
	}
	for _, p := range c.Ports {
		if p == 0 {
			return errors.New("port 0 cannot be filtered on")
		}
	}
	for _, h := range c.Hosts {
		switch {
		case !h.IsValid():
			return errors.New("invalid host address")
		case h.Zone() != "":
			return fmt.Errorf("host %s: zones cannot be filtered on", h)
		}
	}
	return nil
}

// LiveStats describes a live capture, while it runs and when it is done.
type LiveStats struct {
	Interface string   `json:"interface"`
	LinkType  LinkType `json:"link_type"`
	// Filter is the filter in tcpdump's words; empty when none.
	Filter string `json:"filter"`
	Output string `json:"output"`
	// Start is when the filter was in place and capture began.
	Start   time.Time     `json:"start"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Packets, Bytes and WireBytes count what was written to Output:
	// packets, captured bytes and their lengths on the wire.
	Packets   int64 `json:"packets"`
	Bytes     int64 `json:"captured_bytes"`
	WireBytes int64 `json:"wire_bytes"`
	// KernelDrops counts packets that passed the filter but were dropped
	// because the socket's receive buffer was full.
	KernelDrops int64 `json:"kernel_drops"`
	// Interrupted is true when the context ended the capture before
	// Duration elapsed.
	Interrupted bool `json:"interrupted"`
}

// liveError puts the interface in front of a live-capture error and turns
// a refused packet socket into ErrPermission with a one-line message.
func liveError(iface string, err error) error {
	if errors.Is(err, fs.ErrPermission) { // EPERM and EACCES
		return fmt.Errorf("capture on %s: %w (need root or CAP_NET_RAW)", iface, ErrPermission)
	}
	return fmt.Errorf("capture on %s: %w", iface, err)
}
