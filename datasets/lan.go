package datasets

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
)

// This file holds the LAN's own chatter: service discovery and name
// resolution by multicast and broadcast (mDNS, LLMNR, NetBIOS, SSDP,
// WS-Discovery), DHCP, IPv6 router advertisements and neighbour
// discovery. Nearly all of it goes unanswered, so a flow meter sees
// one-sided UDP flows (Zeek's S0 with history "D") in every real office
// capture.

// Link-local groups and broadcast addresses.
var (
	bcast4    = netip.MustParseAddr("255.255.255.255")
	mdns4     = netip.MustParseAddr("224.0.0.251")
	mdns6     = netip.MustParseAddr("ff02::fb")
	llmnr4    = netip.MustParseAddr("224.0.0.252")
	llmnr6    = netip.MustParseAddr("ff02::1:3")
	ssdp4     = netip.MustParseAddr("239.255.255.250")
	allNodes6 = netip.MustParseAddr("ff02::1")
)

// never is a time after every capture.
const never = 1<<63 - 1

// group returns the peer for a multicast or broadcast destination, with
// the Ethernet address such frames go to.
func (n *network) group(a netip.Addr, port uint16) peer {
	p := peer{addr: a, port: port, ipid: uint16(n.r.Uint32())}
	switch {
	case a.Is4() && a.IsMulticast():
		b := a.As4()
		p.mac = [6]byte{0x01, 0x00, 0x5e, b[1] & 0x7f, b[2], b[3]}
	case a.Is6() && a.IsMulticast():
		b := a.As16()
		p.mac = [6]byte{0x33, 0x33, b[12], b[13], b[14], b[15]}
	default:
		p.mac = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	return p
}

// lanBroadcast is the LAN's directed broadcast address.
func (n *network) lanBroadcast() netip.Addr {
	b := n.lan4.Addr().As4()
	b[3] = 255
	return netip.AddrFrom4(b)
}

// linkLocal returns h's fe80::/64 address, making it on first use from a
// random interface identifier (what current stacks use instead of EUI-64).
func (n *network) linkLocal(h *host) netip.Addr {
	if !h.ll6.IsValid() {
		var a [16]byte
		a[0], a[1] = 0xfe, 0x80
		for i := 8; i < 16; i++ {
			a[i] = byte(n.r.IntN(256))
		}
		h.ll6 = netip.AddrFrom16(a)
	}
	return h.ll6
}

// from is the peer of a LAN host sending from addr (one of its own) with
// the given TTL or hop limit.
func (n *network) from(h *host, addr netip.Addr, port uint16, ttl uint8) peer {
	p := n.peer(h, false, port)
	p.addr, p.ttl = addr, ttl
	return p
}

// oneWay sends datagrams from a to b that nothing answers, unless the flow
// key is still in use (then it returns nil); reserve says the key repeats
// (a fixed source port, as mDNS, NetBIOS and DHCP use) and must be held.
func (g *gen) oneWay(ev int, a, b peer, app string, t int64, data [][]byte, gaps []int64, reserve bool) *flow {
	k := tupleOf(protoUDP, a, b, a.port, b.port)
	if reserve && !g.vacant(k, t) {
		return nil
	}
	f := g.newFlow(ev, protoUDP, a, b, app)
	if reserve {
		g.hold(f, k)
	}
	var p []dgram
	for i, d := range data {
		if i > 0 {
			t += gaps[i-1]
		}
		p = append(p, dgram{at: t, side: 0, data: d})
	}
	g.startDgrams(f, p)
	return f
}

// chatter drives one LAN host's discovery traffic: independent Poisson
// processes, one per kind, with means that depend on the OS.
type chatter struct {
	o    *office
	h    *host
	r    *rand.Rand
	mean [nChat]int64
	next [nChat]int64
}

// Kinds of chatter.
const (
	chatMDNS   = iota // mDNS queries and announcements
	chatLLMNR         // LLMNR (and on Windows NetBIOS) lookups of a single-label name
	chatBrowse        // NetBIOS browser host announcement
	chatSSDP          // SSDP M-SEARCH
	chatWSD           // WS-Discovery probe
	chatDHCP          // DHCP renewal (answered) or INFORM (broadcast)
	chatNotify        // SSDP NOTIFY of a device
	chatND            // IPv6 neighbour unreachability detection
	nChat
)

// chatMeans are the mean intervals of each kind per OS; zero is never.
// Fixed-port kinds (mDNS from 5353, NetBIOS from 137/138, DHCP from 68)
// are further limited to one flow per key every portReuseGap.
var chatMeans = map[string][nChat]int64{
	"windows": {chatMDNS: 40 * minute, chatLLMNR: 9 * minute, chatBrowse: 14 * minute, chatSSDP: 11 * minute,
		chatWSD: 25 * minute, chatDHCP: 70 * minute, chatND: 20 * minute},
	"linux": {chatMDNS: 12 * minute, chatLLMNR: 25 * minute, chatSSDP: 60 * minute, chatDHCP: 70 * minute,
		chatND: 20 * minute},
	"macos": {chatMDNS: 6 * minute, chatSSDP: 45 * minute, chatDHCP: 70 * minute, chatND: 20 * minute},
	// LAN devices: the printer announces itself.
	"printer": {chatMDNS: 10 * minute, chatNotify: 12 * minute},
	"gateway": {chatNotify: 14 * minute},
}

func (o *office) startChatter(h *host, kind string) {
	g := o.g
	c := &chatter{o: o, h: h, r: g.child(), mean: chatMeans[kind]}
	for i := range c.next {
		c.next[i] = never
		if c.mean[i] > 0 {
			c.next[i] = g.start + int64(expDraw(c.r)*float64(c.mean[i]))
		}
	}
	if t := c.soonest(); t <= g.end {
		g.spawn(c, t)
	}
}

func (c *chatter) soonest() int64 { return slices.Min(c.next[:]) }

func (c *chatter) step(g *gen) (int64, bool) {
	k := due(c.next[:])
	c.run(k)
	c.next[k] = g.now + max(sec, int64(expDraw(c.r)*float64(c.mean[k])))
	t := c.soonest()
	return t, t <= g.end
}

func (c *chatter) run(k int) {
	switch k {
	case chatMDNS:
		c.mdns()
	case chatLLMNR:
		c.llmnr()
	case chatBrowse:
		c.browse()
	case chatSSDP:
		c.ssdp()
	case chatWSD:
		c.wsd()
	case chatDHCP:
		c.dhcp()
	case chatNotify:
		c.notify()
	case chatND:
		c.nud()
	}
}

// mdnsServices are service types hosts browse for.
var mdnsServices = []string{"_airplay._tcp.local", "_raop._tcp.local", "_googlecast._tcp.local", "_ipp._tcp.local",
	"_ipps._tcp.local", "_companion-link._tcp.local", "_spotify-connect._tcp.local", "_smb._tcp.local",
	"_sleep-proxy._udp.local", "_homekit._tcp.local", "_printer._tcp.local", "_device-info._tcp.local",
	"_pdl-datastream._tcp.local", "_scanner._tcp.local", "_uscan._tcp.local", "_workstation._tcp.local"}

// mdns is a burst of mDNS traffic from port 5353: a query for a few
// service types repeated at 1 s and 3 s, or the host's own announcement
// repeated once, to the IPv4 group and, for IPv6 hosts, the IPv6 group.
func (c *chatter) mdns() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	var msgs [][]byte
	var gaps []int64
	if h.role == "printer" || r.IntN(4) == 0 {
		msgs = [][]byte{mdnsAnnounce(h, o.net, r)}
		msgs = append(msgs, msgs[0])
		gaps = []int64{sec + r.Int64N(int64(200*ms))}
	} else {
		q := mdnsQuery(r, 1+r.IntN(5))
		msgs = [][]byte{q, q, q}
		gaps = []int64{sec + r.Int64N(int64(30*ms)), 2*sec + r.Int64N(int64(30*ms))}
		if r.IntN(3) == 0 {
			msgs, gaps = msgs[:1], nil
		}
	}
	t := g.now
	g.oneWay(o.ev, o.net.from(h, h.ip4, 5353, 255), o.net.group(mdns4, 5353), "dns", t, msgs, gaps, true)
	if h.ip6.IsValid() {
		ll := o.net.linkLocal(h)
		g.oneWay(o.ev, o.net.from(h, ll, 5353, 255), o.net.group(mdns6, 5353), "dns", t+300*us+r.Int64N(int64(2*ms)), msgs, gaps, true)
	}
}

// mdnsQuery asks for n service types (PTR, QM).
func mdnsQuery(r *rand.Rand, n int) []byte {
	first := r.IntN(len(mdnsServices))
	w := newDNS(0, 0, n, 0, 0, 0)
	for i := range n {
		w.question(mdnsServices[(first+i*3)%len(mdnsServices)], dnsPTR)
	}
	return w.b
}

// mdnsAnnounce is an unsolicited mDNS response naming the host and one
// service it offers.
func mdnsAnnounce(h *host, n *network, r *rand.Rand) []byte {
	name := mdnsName(h)
	svc, port := "_device-info._tcp.local", uint16(0)
	switch {
	case h.role == "printer":
		svc, port = "_ipp._tcp.local", 631
	case h.os == osMac:
		svc, port = "_companion-link._tcp.local", 49152+uint16(r.IntN(16000))
	case h.os == osLinux:
		svc, port = "_workstation._tcp.local", 9
	}
	inst := strings.TrimSuffix(name, ".local") + "." + svc
	ans := []rr{
		{name: svc, typ: dnsPTR, ttl: 4500, target: inst},
		{name: inst, typ: dnsSRV, ttl: 120, class: 0x8001, port: port, target: name},
		{name: inst, typ: dnsTXT, ttl: 4500, class: 0x8001, txt: []string{"txtvers=1"}},
		{name: name, typ: dnsA, ttl: 120, class: 0x8001, addr: h.ip4},
	}
	if h.ip6.IsValid() {
		ans = append(ans, rr{name: name, typ: dnsAAAA, ttl: 120, class: 0x8001, addr: n.linkLocal(h)})
	}
	w := newDNS(0, 0x8400, 0, len(ans), 0, 0)
	for i := range ans {
		w.record(&ans[i])
	}
	return w.b
}

func mdnsName(h *host) string {
	switch {
	case h.role == "printer":
		return "HP-LaserJet-M404.local"
	case h.os == osMac:
		return "MacBook-Pro-" + strings.ToUpper(h.name) + ".local"
	}
	return h.name + ".local"
}

// singleLabel are short names people type or software tries: a share, a
// printer, WPAD, a decommissioned server. DNS fails for them, so the host
// falls back to multicast name resolution, which nobody answers.
var singleLabel = []string{"wpad", "fileserver", "printer", "nas", "intranet", "sharepoint", "scanner01", "oldsrv",
	"devbox", "backup"}

// llmnr asks for a single-label name by LLMNR (A twice, 410 ms apart) on
// both groups; Windows also broadcasts a NetBIOS name query three times.
func (c *chatter) llmnr() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	name := singleLabel[r.IntN(len(singleLabel))]
	t := g.now
	q := dnsQuery(uint16(r.Uint32()), name, dnsA, 0)
	ttl := uint8(1)
	if h.os == osWindows {
		ttl = 128
	}
	gap := []int64{410*ms + r.Int64N(int64(20*ms))}
	g.oneWay(o.ev, o.net.from(h, h.ip4, h.allocPort(t, r), ttl), o.net.group(llmnr4, 5355), "dns", t, [][]byte{q, q}, gap, false).ownPort = true
	if h.ip6.IsValid() {
		q6 := dnsQuery(uint16(r.Uint32()), name, dnsAAAA, 0)
		g.oneWay(o.ev, o.net.from(h, o.net.linkLocal(h), h.allocPort(t, r), 1), o.net.group(llmnr6, 5355), "dns",
			t+100*us+r.Int64N(int64(400*us)), [][]byte{q6, q6}, gap, false).ownPort = true
	}
	if h.os == osWindows {
		nb := nbnsQuery(uint16(r.Uint32()), name)
		g.oneWay(o.ev, o.net.from(h, h.ip4, 137, 128), o.net.group(o.net.lanBroadcast(), 137), "dns",
			t+2*ms+r.Int64N(int64(3*ms)), [][]byte{nb, nb, nb}, []int64{750 * ms, 750 * ms}, true)
	}
}

// nbName encodes a NetBIOS name: 15 characters padded with spaces and a
// suffix byte, each nibble as a letter from 'A'.
func nbName(name string, suffix byte) []byte {
	var raw [16]byte
	for i := range raw {
		raw[i] = ' '
	}
	copy(raw[:15], strings.ToUpper(name))
	raw[15] = suffix
	b := []byte{32}
	for _, x := range raw {
		b = append(b, 'A'+x>>4, 'A'+x&15)
	}
	return append(b, 0)
}

// nbnsQuery is a broadcast NetBIOS name query (NB, recursion desired).
func nbnsQuery(id uint16, name string) []byte {
	b := make([]byte, 12, 50)
	binary.BigEndian.PutUint16(b[0:], id)
	binary.BigEndian.PutUint16(b[2:], 0x0110)
	binary.BigEndian.PutUint16(b[4:], 1)
	b = append(b, nbName(name, 0x20)...)
	return append(b, 0x00, 0x20, 0x00, 0x01)
}

// nbstatQuery is a unicast NetBIOS node status request (nbtstat -A).
func nbstatQuery(id uint16) []byte {
	b := make([]byte, 12, 50)
	binary.BigEndian.PutUint16(b[0:], id)
	binary.BigEndian.PutUint16(b[4:], 1)
	b = append(b, 32, 'C', 'K')
	for range 30 {
		b = append(b, 'A')
	}
	return append(b, 0, 0x00, 0x21, 0x00, 0x01)
}

// browse is the Windows browser service's host announcement, a
// \MAILSLOT\BROWSE datagram to the LAN broadcast.
func (c *chatter) browse() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	d := browserAnnouncement(h, o.domain, r)
	g.oneWay(o.ev, o.net.from(h, h.ip4, 138, 128), o.net.group(o.net.lanBroadcast(), 138), "", g.now, [][]byte{d}, nil, true)
}

func browserAnnouncement(h *host, domain string, r *rand.Rand) []byte {
	workgroup, _, _ := strings.Cut(strings.ToUpper(domain), ".")
	src := nbName(h.name, 0x00)
	dst := nbName(workgroup, 0x1d)
	b := []byte{0x11, 0x0a, byte(r.Uint32()), byte(r.Uint32())}
	a := h.ip4.As4()
	b = append(b, a[:]...)
	b = append(b, 0x00, 0x8a, 0, 0, 0, 0) // source port 138, length, offset
	b = append(b, src...)
	b = append(b, dst...)
	// SMB Transaction to the mailslot.
	smb := []byte{0xff, 'S', 'M', 'B', 0x25}
	smb = append(smb, make([]byte, 27)...)
	smb = append(smb, 17)
	smb = append(smb, make([]byte, 34)...)
	smb = append(smb, `\MAILSLOT\BROWSE`...)
	smb = append(smb, 0)
	ann := []byte{0x01, 0x00, 0x80, 0xfc, 0x0a, 0x00}
	nm := make([]byte, 16)
	copy(nm, strings.ToUpper(h.name))
	ann = append(ann, nm...)
	ann = append(ann, 0x0a, 0x00, 0x03, 0x10, 0x00, 0x00, 0x0f, 0x01, 0x55, 0xaa)
	ann = append(ann, "Workstation"...)
	ann = append(ann, 0)
	smb = append(smb, ann...)
	b = append(b, smb...)
	binary.BigEndian.PutUint16(b[10:], uint16(len(b)-14))
	return b
}

// ssdp is an M-SEARCH sent two to four times a second apart; a device or
// two answers each by unicast from port 1900, which is a flow of its own
// that the searcher never answers.
func (c *chatter) ssdp() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	st := []string{"ssdp:all", "urn:dial-multiscreen-org:service:dial:1", "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
		"upnp:rootdevice", "urn:schemas-upnp-org:device:MediaRenderer:1", "ssdp:all"}[r.IntN(6)]
	ua := ""
	if h.os == osWindows {
		ua = "USER-AGENT: Microsoft Edge/131.0 Windows\r\n"
	}
	msg := []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: " + st + "\r\n" + ua + "\r\n")
	n := 2 + r.IntN(3)
	msgs := make([][]byte, n)
	gaps := make([]int64, n-1)
	for i := range msgs {
		msgs[i] = msg
		if i > 0 {
			gaps[i-1] = sec + r.Int64N(int64(10*ms))
		}
	}
	t := g.now
	port := h.allocPort(t, r)
	ttl := uint8(2)
	if h.os == osWindows {
		ttl = 1
	}
	a := o.net.from(h, h.ip4, port, ttl)
	g.oneWay(o.ev, a, o.net.group(ssdp4, 1900), "", t, msgs, gaps, false).ownPort = true
	// Each device that matches answers every copy of the search, within
	// MX seconds, with one response per matching type: a unicast flow of
	// several packets from port 1900 that the searcher never answers.
	for _, d := range []*host{o.net.gateway, o.printer} {
		sts := ssdpTypes(d)
		if st != "ssdp:all" {
			if !slices.Contains(sts, st) {
				continue
			}
			sts = []string{st}
		}
		var resp [][]byte
		var at []int64
		for i := range msgs {
			sent := t
			for _, gp := range gaps[:i] {
				sent += gp
			}
			u := sent + 20*ms + r.Int64N(int64(900*ms))
			for _, x := range sts {
				resp = append(resp, ssdpResponse(d, x, r))
				at = append(at, u)
				u += 100*us + r.Int64N(int64(2*ms))
			}
		}
		var rg []int64
		for i := 1; i < len(at); i++ {
			rg = append(rg, max(at[i]-at[i-1], 0))
		}
		g.oneWay(o.ev, o.net.peer(d, false, 1900), a, "", at[0], resp, rg, false)
	}
}

// ssdpTypes are the search targets a device answers.
func ssdpTypes(d *host) []string {
	if d.role == "printer" {
		return []string{"upnp:rootdevice", "urn:schemas-upnp-org:device:Printer:1"}
	}
	return []string{"upnp:rootdevice", "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
		"urn:schemas-upnp-org:service:WANIPConnection:1", "urn:schemas-upnp-org:service:Layer3Forwarding:1"}
}

func ssdpResponse(d *host, st string, r *rand.Rand) []byte {
	uuid := fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.Uint64()&0xffffffffffff)
	server := "Linux/4.14 UPnP/1.0 MiniUPnPd/2.2.1"
	if d.role == "printer" {
		server = "HP HTTP Server; HP LaserJet M404; UPnP/1.0"
	}
	return []byte("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://" + d.ip4.String() +
		":" + itoa(49000+r.IntN(3000)) + "/rootDesc.xml\r\nSERVER: " + server + "\r\nST: " + st + "\r\nUSN: uuid:" + uuid +
		"::" + st + "\r\n\r\n")
}

// notify is a device's SSDP alive announcement: one NOTIFY per
// advertised type, from port 1900 to the group.
func (c *chatter) notify() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	types := []string{"upnp:rootdevice", "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
		"urn:schemas-upnp-org:service:WANIPConnection:1"}
	server := "Linux/4.14 UPnP/1.0 MiniUPnPd/2.2.1"
	if h.role == "printer" {
		types = []string{"upnp:rootdevice", "urn:schemas-upnp-org:device:Printer:1"}
		server = "HP HTTP Server; HP LaserJet M404; UPnP/1.0"
	}
	uuid := fmt.Sprintf("%08x-%04x-4000-8000-%012x", r.Uint32(), r.IntN(65536), r.Uint64()&0xffffffffffff)
	var msgs [][]byte
	var gaps []int64
	for i, nt := range types {
		msgs = append(msgs, []byte("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://"+
			h.ip4.String()+":5000/rootDesc.xml\r\nNT: "+nt+"\r\nNTS: ssdp:alive\r\nSERVER: "+server+"\r\nUSN: uuid:"+uuid+"::"+nt+"\r\n\r\n"))
		if i > 0 {
			gaps = append(gaps, 200*us+r.Int64N(int64(2*ms)))
		}
	}
	g.oneWay(o.ev, o.net.from(h, h.ip4, 1900, 4), o.net.group(ssdp4, 1900), "", g.now, msgs, gaps, true)
}

// wsd is a WS-Discovery Probe for printers and scanners, sent twice; the
// printer, if any, answers with a unicast ProbeMatches.
func (c *chatter) wsd() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	id := fmt.Sprintf("urn:uuid:%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(65536), r.IntN(4096), r.IntN(4096), r.Uint64()&0xffffffffffff)
	probe := []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" ` +
		`xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" ` +
		`xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>` +
		`<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action><wsa:MessageID>` + id +
		`</wsa:MessageID></soap:Header><soap:Body><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe></soap:Body></soap:Envelope>`)
	t := g.now
	a := o.net.from(h, h.ip4, h.allocPort(t, r), 1)
	g.oneWay(o.ev, a, o.net.group(ssdp4, 3702), "", t, [][]byte{probe, probe}, []int64{100*ms + r.Int64N(int64(150*ms))}, false).ownPort = true
	if p := o.printer; p != nil && r.IntN(2) == 0 {
		match := []byte(strings.Replace(strings.Replace(string(probe), "/Probe<", "/ProbeMatches<", 1),
			"<wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe>",
			"<wsd:ProbeMatches><wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:4509a320-00a0-008f-00b6-002507510eca</wsa:Address>"+
				"</wsa:EndpointReference><wsd:Types>wsdp:Device wprt:PrintDeviceType</wsd:Types><wsd:XAddrs>http://"+p.ip4.String()+
				":3911/</wsd:XAddrs><wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:ProbeMatch></wsd:ProbeMatches>", 1))
		g.oneWay(o.ev, o.net.peer(p, false, 3702), a, "", t+20*ms+r.Int64N(int64(300*ms)), [][]byte{match, match},
			[]int64{100*ms + r.Int64N(int64(300*ms))}, false)
	}
}

// dhcp renews the host's lease with its router (request and ack), or on
// Windows sometimes broadcasts a DHCPINFORM nobody answers.
func (c *chatter) dhcp() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	gw := o.net.gateway
	xid := r.Uint32()
	t := g.now
	if h.os == osWindows && r.IntN(3) == 0 {
		inf := dhcpMessage(1, 8, xid, h, gw, r)
		g.oneWay(o.ev, o.net.from(h, h.ip4, 68, 128), o.net.group(bcast4, 67), "", t, [][]byte{inf}, nil, true)
		return
	}
	a, b := o.net.peer(h, false, 68), o.net.peer(gw, false, 67)
	k := tupleOf(protoUDP, a, b, 68, 67)
	if !g.vacant(k, t) {
		return
	}
	f := g.newFlow(o.ev, protoUDP, a, b, "")
	g.hold(f, k)
	req := dhcpMessage(1, 3, xid, h, gw, r)
	ack := dhcpMessage(2, 5, xid, h, gw, r)
	g.startDgrams(f, []dgram{{at: t, data: req}, {at: t + 400*us + r.Int64N(int64(3*ms)), side: 1, data: ack}})
}

// dhcpMessage builds a BOOTP message (op 1 request, 2 reply) of DHCP type
// typ from h (or to it) via router gw.
func dhcpMessage(op byte, typ byte, xid uint32, h, gw *host, r *rand.Rand) []byte {
	b := make([]byte, 240, 300)
	b[0], b[1], b[2] = op, 1, 6
	binary.BigEndian.PutUint32(b[4:], xid)
	ip, gwa := h.ip4.As4(), gw.ip4.As4()
	copy(b[12:16], ip[:]) // ciaddr: renewing and informing clients know their address
	if op == 2 {
		copy(b[16:20], ip[:])
		copy(b[20:24], gwa[:])
	}
	copy(b[28:34], h.mac[:])
	binary.BigEndian.PutUint32(b[236:], 0x63825363)
	b = append(b, 53, 1, typ)
	if op == 1 {
		b = append(b, 61, 7, 1)
		b = append(b, h.mac[:]...)
		b = append(b, 12, byte(len(h.name)))
		b = append(b, h.name...)
		if h.os == osWindows {
			b = append(b, 60, 8)
			b = append(b, "MSFT 5.0"...)
			b = append(b, 55, 14, 1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252)
		} else {
			b = append(b, 55, 9, 1, 3, 6, 15, 26, 28, 42, 119, 121)
		}
	} else {
		lease := []byte{0, 0, 0x0e, 0x10} // an hour
		b = append(b, 54, 4, gwa[0], gwa[1], gwa[2], gwa[3], 51, 4)
		b = append(b, lease...)
		b = append(b, 1, 4, 255, 255, 255, 0, 3, 4, gwa[0], gwa[1], gwa[2], gwa[3], 6, 4, gwa[0], gwa[1], gwa[2], gwa[3])
	}
	b = append(b, 255)
	for len(b) < 300 {
		b = append(b, 0)
	}
	return b
}

// nud checks that the router is still reachable over IPv6: a unicast
// neighbour solicitation from the host's link-local address answered by a
// solicited neighbour advertisement (one ICMPv6 flow, 135/136).
func (c *chatter) nud() {
	o, g, r, h := c.o, c.o.g, c.r, c.h
	gw := o.net.gateway
	if !h.ip6.IsValid() {
		return
	}
	a := o.net.from(h, o.net.linkLocal(h), 0, 255)
	b := o.net.from(gw, o.net.linkLocal(gw), 0, 255)
	k := tupleOf(protoICMPv6, a, b, 135, 136)
	t := g.now
	if !g.vacant(k, t) {
		return
	}
	f := g.newFlow(o.ev, protoICMPv6, a, b, "icmp")
	f.z.proto = protoICMPv6
	f.icmp = [2]uint16{135, 136}
	g.hold(f, k)
	tgt := b.addr.As16()
	ns := append(append([]byte{}, tgt[:]...), 1, 1)
	ns = append(ns, h.mac[:]...)
	na := append([]byte{}, tgt[:]...)
	g.startDgrams(f, []dgram{{at: t, typ: 135, data: ns},
		{at: t + 150*us + r.Int64N(int64(400*us)), side: 1, typ: 136, rest: 0xc0000000, data: na}})
}

// routerLife is the gateway's own IPv6 chatter: router advertisements to
// all nodes (ICMPv6 134, one flow per advertisement).
type routerLife struct {
	o *office
	r *rand.Rand
}

func (l *routerLife) step(g *gen) (int64, bool) {
	o, r := l.o, l.r
	gw := o.net.gateway
	a := o.net.from(gw, o.net.linkLocal(gw), 0, 255)
	b := o.net.group(allNodes6, 0)
	k := tupleOf(protoICMPv6, a, b, 134, 133)
	if g.vacant(k, g.now) {
		f := g.newFlow(o.ev, protoICMPv6, a, b, "icmp")
		f.z.proto = protoICMPv6
		f.icmp = [2]uint16{134, 133}
		g.hold(f, k)
		g.startDgrams(f, []dgram{{at: g.now, typ: 134, rest: 64<<24 | 1800, data: routerAdvert(o.net, gw)}})
	}
	next := g.now + 3*minute + r.Int64N(int64(7*minute))
	return next, next <= g.end
}

// routerAdvert is the body of a router advertisement after the 8-byte
// header: timers, the router's link-layer address, the MTU and the LAN's
// prefix for SLAAC.
func routerAdvert(n *network, gw *host) []byte {
	b := make([]byte, 8)
	b = append(b, 1, 1)
	b = append(b, gw.mac[:]...)
	b = append(b, 5, 1, 0, 0, 0, 0, 0x05, 0xdc)
	b = append(b, 3, 4, 64, 0xc0)
	b = binary.BigEndian.AppendUint32(b, 2592000)
	b = binary.BigEndian.AppendUint32(b, 604800)
	b = append(b, 0, 0, 0, 0)
	p := n.lan6.Addr().As16()
	return append(b, p[:]...)
}
