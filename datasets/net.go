package datasets

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"
)

// optLayout is the order of TCP options in a host's SYN or SYN-ACK, which
// differs between stacks and is what passive fingerprinting looks at.
type optLayout uint8

const (
	optNone    optLayout = iota
	optLinux             // mss, sackOK, TS, nop, wscale
	optWindows           // mss, nop, wscale, nop, nop, sackOK
	optMac               // mss, nop, wscale, nop, nop, TS, sackOK, eol
	optMSSOnly           // nmap's raw SYN probes
)

// osProfile is the TCP/IP personality of a host.
type osProfile struct {
	name         string
	ttl          uint8
	ephLo, ephHi uint16
	synWin       uint16
	wscale       uint8
	mss          uint16
	layout       optLayout
	globalID     bool  // one IP ID counter for the whole host (Windows)
	delack       int64 // delayed-ACK timer
	rcvBuf       int   // receive buffer once the connection is warm
}

var (
	osLinux = &osProfile{name: "linux", ttl: 64, ephLo: 32768, ephHi: 60999, synWin: 64240, wscale: 7,
		mss: 1460, layout: optLinux, delack: 40 * ms, rcvBuf: 3 << 20}
	osWindows = &osProfile{name: "windows", ttl: 128, ephLo: 49152, ephHi: 65535, synWin: 64240, wscale: 8,
		mss: 1460, layout: optWindows, globalID: true, delack: 50 * ms, rcvBuf: 4 << 20}
	osMac = &osProfile{name: "macos", ttl: 64, ephLo: 49152, ephHi: 65535, synWin: 65535, wscale: 6,
		mss: 1460, layout: optMac, delack: 100 * ms, rcvBuf: 2 << 20}
	osLinuxServer = &osProfile{name: "linux", ttl: 64, ephLo: 32768, ephHi: 60999, synWin: 65160, wscale: 7,
		mss: 1460, layout: optLinux, delack: 40 * ms, rcvBuf: 6 << 20}
	osWindowsServer = &osProfile{name: "windows", ttl: 128, ephLo: 49152, ephHi: 65535, synWin: 65535, wscale: 8,
		mss: 1440, layout: optWindows, globalID: true, delack: 50 * ms, rcvBuf: 4 << 20}
	// osEmbedded is a printer's or appliance's small stack.
	osEmbedded = &osProfile{name: "embedded", ttl: 64, ephLo: 49152, ephHi: 65535, synWin: 5840, wscale: 2,
		mss: 1460, layout: optLinux, delack: 40 * ms, rcvBuf: 256 << 10}
	osBSDServer = &osProfile{name: "freebsd", ttl: 255, ephLo: 10000, ephHi: 65535, synWin: 65535, wscale: 6,
		mss: 1460, layout: optMac, delack: 100 * ms, rcvBuf: 2 << 20}
)

// Time units in nanoseconds.
const (
	us     = int64(time.Microsecond)
	ms     = int64(time.Millisecond)
	sec    = int64(time.Second)
	minute = int64(time.Minute)
)

// host is one machine that sends or receives packets.
type host struct {
	name     string
	role     string
	ip4, ip6 netip.Addr
	ll6      netip.Addr // link-local IPv6, made on first use
	mac      [6]byte
	os       *osProfile
	local    bool
	rtt      int64   // round trip between the capture point and this host
	hops     uint8   // routers between the capture point and this host
	bwUp     float64 // bits per second from the host
	client   *clientProfile
	ipid     uint16
	nextPort int
	portFree []int64 // when each port may be reused, created on first use
	dnsCache map[string]int64
	srvFor   map[string]*host // the server each cached name resolved to
	resolver *host
	pingSeq  uint16
}

// ttlSeen is the TTL (hop limit) of this host's packets at the capture point.
func (h *host) ttlSeen() uint8 { return h.os.ttl - h.hops }

// portReuseGap keeps a host from reusing a source port (towards any
// destination) for this long after the flow using it ended, so no flow key
// repeats within any flow meter's timeouts.
const portReuseGap = 15 * minute

// allocPort picks the host's next ephemeral port. now is the flow's start.
func (h *host) allocPort(now int64, r *rand.Rand) uint16 {
	lo, hi := int(h.os.ephLo), int(h.os.ephHi)
	span := hi - lo + 1
	if h.portFree == nil {
		h.portFree = make([]int64, 65536)
		h.nextPort = lo + r.IntN(span)
	}
	for range span {
		// Linux and Windows both walk the range with small random strides.
		h.nextPort += 1 + r.IntN(3)
		if h.nextPort > hi {
			h.nextPort = lo + (h.nextPort - hi - 1)
		}
		if h.portFree[h.nextPort] <= now {
			h.portFree[h.nextPort] = 1<<63 - 1
			return uint16(h.nextPort)
		}
	}
	// Every port busy: only reachable with absurd scales; reuse the next one.
	return uint16(h.nextPort)
}

// releasePort marks a port reusable portReuseGap after end.
func (h *host) releasePort(p uint16, end int64) {
	if h.portFree != nil {
		h.portFree[p] = end + portReuseGap
	}
}

// network is the capture's address plan: the LAN, its router, and every
// remote party.
type network struct {
	lan4       netip.Prefix
	lan6       netip.Prefix
	routerMAC  [6]byte
	gateway    *host
	resolvers  []*host
	hosts      []*host // LAN hosts in address order
	byAddr     map[netip.Addr]*host
	sites      []*site
	siteByName map[string]*site
	ranges     map[string]*addrRange
	r          *rand.Rand
	nextLAN    int
	macSeq     uint32
}

// addrRange hands out distinct addresses from one public block.
type addrRange struct {
	prefix netip.Prefix
	used   map[netip.Addr]bool
	rttLo  int64
	rttHi  int64
	os     *osProfile
}

// Public blocks used for remote parties. The documentation ranges hold
// most servers and every attacker; the others are real provider blocks so
// geolocation and reputation lookups have something to find.
var publicRanges = []struct {
	key, prefix  string
	rttLo, rttHi int64
	os           *osProfile
}{
	{"doc1", "192.0.2.0/24", 25 * ms, 90 * ms, osLinuxServer},
	{"doc2", "198.51.100.0/24", 30 * ms, 120 * ms, osLinuxServer},
	{"doc3", "203.0.113.0/24", 60 * ms, 200 * ms, osLinuxServer},
	{"google", "142.250.0.0/15", 8 * ms, 16 * ms, osLinuxServer},
	{"github", "140.82.112.0/20", 70 * ms, 110 * ms, osLinuxServer},
	{"ghcontent", "185.199.108.0/22", 12 * ms, 25 * ms, osLinuxServer},
	{"fastly", "151.101.0.0/16", 10 * ms, 22 * ms, osBSDServer},
	{"cloudflare", "104.16.0.0/13", 6 * ms, 14 * ms, osLinuxServer},
	{"cloudfront", "52.84.0.0/15", 9 * ms, 20 * ms, osLinuxServer},
	{"aws", "3.208.0.0/12", 80 * ms, 100 * ms, osLinuxServer},
	{"azure", "20.190.128.0/18", 15 * ms, 35 * ms, osWindowsServer},
	{"office", "13.107.0.0/16", 12 * ms, 30 * ms, osWindowsServer},
	{"akamai", "23.32.0.0/11", 8 * ms, 18 * ms, osLinuxServer},
	{"apple", "17.0.0.0/8", 20 * ms, 60 * ms, osMac},
	{"canonical", "185.125.188.0/22", 25 * ms, 45 * ms, osLinuxServer},
}

// Public resolvers; one of them serves the office.
var publicResolvers = []string{"1.1.1.1", "8.8.8.8", "9.9.9.9", "208.67.222.222"}

// ouis are vendor prefixes for LAN MAC addresses.
var ouis = [][3]byte{
	{0x3c, 0xa9, 0xf4}, // Intel
	{0xb8, 0xca, 0x3a}, // Dell
	{0x3c, 0x52, 0x82}, // HP
	{0xa4, 0x83, 0xe7}, // Apple
	{0x54, 0xee, 0x75}, // Lenovo
}

var pcOUIs = [][3]byte{ouis[0], ouis[1], ouis[2], ouis[4]}

func newNetwork(r *rand.Rand) *network {
	n := &network{
		byAddr:     map[netip.Addr]*host{},
		siteByName: map[string]*site{},
		ranges:     map[string]*addrRange{},
		r:          r,
	}
	// The LAN differs per seed, so a training corpus does not teach a model
	// one subnet.
	switch r.IntN(3) {
	case 0:
		n.lan4 = netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(1 + r.IntN(250)), 0}), 24)
	case 1:
		n.lan4 = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), 0}), 24)
	default:
		n.lan4 = netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(16 + r.IntN(16)), byte(r.IntN(256)), 0}), 24)
	}
	var a6 [16]byte
	a6[0], a6[1], a6[2], a6[3] = 0x20, 0x01, 0x0d, 0xb8
	a6[4], a6[5] = 0x0a, byte(r.IntN(256))
	a6[6], a6[7] = byte(r.IntN(256)), byte(r.IntN(256))
	n.lan6 = netip.PrefixFrom(netip.AddrFrom16(a6), 64)
	n.routerMAC = [6]byte{0x00, 0x1b, 0x54, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))}

	for _, pr := range publicRanges {
		n.ranges[pr.key] = &addrRange{prefix: netip.MustParsePrefix(pr.prefix), used: map[netip.Addr]bool{},
			rttLo: pr.rttLo, rttHi: pr.rttHi, os: pr.os}
	}
	n.gateway = n.addLocal("gateway", "gateway", osLinux, 1)
	n.gateway.mac = n.routerMAC
	first := r.IntN(len(publicResolvers))
	for i := range 2 {
		a := netip.MustParseAddr(publicResolvers[(first+i)%len(publicResolvers)])
		h := n.addRemote("resolver", "resolver", a, osLinuxServer, 4*ms+int64(r.IntN(int(8*ms))))
		n.resolvers = append(n.resolvers, h)
	}
	n.buildSites()
	return n
}

func (n *network) nextMAC(oui [3]byte) [6]byte {
	n.macSeq++
	x := n.r.Uint32()
	return [6]byte{oui[0], oui[1], oui[2], byte(x >> 16), byte(x >> 8), byte(n.macSeq)}
}

// addLocal adds a LAN host at the given host number (0 picks the next free
// number at or above 20).
func (n *network) addLocal(name, role string, os *osProfile, num int) *host {
	if num == 0 {
		if n.nextLAN < 20 {
			n.nextLAN = 20
		}
		for {
			n.nextLAN++
			a := n.lan4.Addr().As4()
			a[3] = byte(n.nextLAN)
			if n.byAddr[netip.AddrFrom4(a)] == nil {
				num = n.nextLAN
				break
			}
		}
	}
	a := n.lan4.Addr().As4()
	a[3] = byte(num)
	h := &host{name: name, role: role, ip4: netip.AddrFrom4(a), os: os, local: true,
		rtt: 200*us + int64(n.r.IntN(int(300*us))), bwUp: 1e9,
		ipid: uint16(n.r.Uint32())}
	if os == osMac {
		h.mac = n.nextMAC(ouis[3])
	} else {
		h.mac = n.nextMAC(pcOUIs[n.r.IntN(len(pcOUIs))])
	}
	n.byAddr[h.ip4] = h
	n.hosts = append(n.hosts, h)
	return h
}

// addRemote adds a remote host at a fixed address.
func (n *network) addRemote(name, role string, a netip.Addr, os *osProfile, rtt int64) *host {
	if h := n.byAddr[a]; h != nil {
		return h
	}
	h := &host{name: name, role: role, ip4: a, os: os, rtt: rtt, hops: byte(8 + n.r.IntN(14)),
		bwUp: float64(20+n.r.IntN(180)) * 1e6, ipid: uint16(n.r.Uint32())}
	if !a.Is4() {
		h.ip4, h.ip6 = netip.Addr{}, a
	}
	n.byAddr[a] = h
	return h
}

// remote adds a remote host with a fresh address from the named range.
func (n *network) remote(name, role, rangeKey string) *host {
	rg := n.ranges[rangeKey]
	a := rg.pick(n.r)
	rtt := rg.rttLo + int64(n.r.Float64()*float64(rg.rttHi-rg.rttLo))
	return n.addRemote(name, role, a, rg.os, rtt)
}

func (rg *addrRange) pick(r *rand.Rand) netip.Addr {
	bitsFree := 32 - rg.prefix.Bits()
	base := rg.prefix.Addr().As4()
	b := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	for {
		off := r.Uint32N(uint32(1)<<bitsFree-2) + 1
		x := b + off
		if x&0xff == 0 || x&0xff == 255 {
			continue
		}
		a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		if !rg.used[a] {
			rg.used[a] = true
			return a
		}
	}
}

// remote6 gives h a documentation-prefix IPv6 address.
func (n *network) remote6(h *host) {
	var a [16]byte
	a[0], a[1], a[2], a[3] = 0x20, 0x01, 0x0d, 0xb8
	a[4], a[5] = byte(0x10+n.r.IntN(0x40)), byte(n.r.IntN(256))
	a[14], a[15] = byte(n.r.IntN(256)), byte(1+n.r.IntN(254))
	h.ip6 = netip.AddrFrom16(a)
	n.byAddr[h.ip6] = h
}

// local6 gives a LAN host an address in the LAN's IPv6 prefix.
func (n *network) local6(h *host) {
	a := n.lan6.Addr().As16()
	for i := 8; i < 16; i++ {
		a[i] = byte(n.r.IntN(256))
	}
	h.ip6 = netip.AddrFrom16(a)
	n.byAddr[h.ip6] = h
}

// peer is one end of a flow as packets show it.
type peer struct {
	addr netip.Addr
	port uint16
	mac  [6]byte // the host's own MAC on the LAN; the router's otherwise
	ttl  uint8
	ipid uint16 // next IP ID when the host has no global counter
	h    *host  // nil for forged sources
}

func (n *network) peer(h *host, v6 bool, port uint16) peer {
	p := peer{addr: h.ip4, port: port, ttl: h.ttlSeen(), h: h, ipid: uint16(n.r.Uint32())}
	if v6 {
		p.addr = h.ip6
	}
	if h.local {
		p.mac = h.mac
	} else {
		p.mac = n.routerMAC
	}
	return p
}

// forged is a peer with a spoofed or otherwise host-less address.
func (n *network) forged(a netip.Addr, port uint16, ttl uint8) peer {
	return peer{addr: a, port: port, mac: n.routerMAC, ttl: ttl, ipid: uint16(n.r.Uint32())}
}

func (p *peer) nextID() uint16 {
	if p.h != nil && p.h.os.globalID {
		p.h.ipid++
		return p.h.ipid
	}
	p.ipid++
	return p.ipid
}

func (n *network) hostList() []Host {
	out := make([]Host, 0, len(n.hosts))
	for _, h := range n.hosts {
		x := Host{Addr: h.ip4.String(), MAC: macString(h.mac), OS: h.os.name, Role: h.role, Name: h.name}
		if h.ip6.IsValid() {
			x.Addr6 = h.ip6.String()
		}
		out = append(out, x)
	}
	return out
}

func macString(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}
