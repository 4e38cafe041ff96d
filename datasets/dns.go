package datasets

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// DNS types and codes used by the generator.
const (
	dnsA     = 1
	dnsNS    = 2
	dnsCNAME = 5
	dnsSOA   = 6
	dnsPTR   = 12
	dnsMX    = 15
	dnsTXT   = 16
	dnsAAAA  = 28
	dnsSRV   = 33
	dnsOPT   = 41
	dnsANY   = 255

	rcodeNoError  = 0
	rcodeNXDomain = 3
)

// rr is one resource record to encode.
type rr struct {
	name   string
	typ    uint16
	ttl    uint32
	addr   netip.Addr // A, AAAA
	target string     // CNAME, MX, NS
	pref   uint16     // MX
	txt    []string   // TXT
	soa    *soaData
	class  uint16 // 0 is IN; mDNS sets the cache-flush bit (0x8001)
	port   uint16 // SRV
}

type soaData struct {
	mname, rname string
	serial       uint32
	minimum      uint32
}

// dnsWriter encodes one message with RFC 1035 name compression.
type dnsWriter struct {
	b     []byte
	names map[string]int
}

func newDNS(id uint16, flags uint16, qd, an, ns, ar int) *dnsWriter {
	w := &dnsWriter{b: make([]byte, 12, 512), names: map[string]int{}}
	binary.BigEndian.PutUint16(w.b[0:], id)
	binary.BigEndian.PutUint16(w.b[2:], flags)
	binary.BigEndian.PutUint16(w.b[4:], uint16(qd))
	binary.BigEndian.PutUint16(w.b[6:], uint16(an))
	binary.BigEndian.PutUint16(w.b[8:], uint16(ns))
	binary.BigEndian.PutUint16(w.b[10:], uint16(ar))
	return w
}

// name writes a domain name, pointing at an earlier copy of its longest
// already-written suffix.
func (w *dnsWriter) name(n string) {
	n = strings.TrimSuffix(strings.ToLower(n), ".")
	for n != "" {
		if off, ok := w.names[n]; ok {
			w.b = binary.BigEndian.AppendUint16(w.b, 0xc000|uint16(off))
			return
		}
		if len(w.b) < 0x3fff {
			w.names[n] = len(w.b)
		}
		label, rest, _ := strings.Cut(n, ".")
		w.b = append(w.b, byte(len(label)))
		w.b = append(w.b, label...)
		n = rest
	}
	w.b = append(w.b, 0)
}

func (w *dnsWriter) question(name string, qtype uint16) {
	w.name(name)
	w.b = binary.BigEndian.AppendUint16(w.b, qtype)
	w.b = binary.BigEndian.AppendUint16(w.b, 1)
}

func (w *dnsWriter) record(r *rr) {
	w.name(r.name)
	w.b = binary.BigEndian.AppendUint16(w.b, r.typ)
	w.b = binary.BigEndian.AppendUint16(w.b, max(r.class, 1))
	w.b = binary.BigEndian.AppendUint32(w.b, r.ttl)
	lenAt := len(w.b)
	w.b = append(w.b, 0, 0)
	switch r.typ {
	case dnsA:
		a := r.addr.As4()
		w.b = append(w.b, a[:]...)
	case dnsAAAA:
		a := r.addr.As16()
		w.b = append(w.b, a[:]...)
	case dnsCNAME, dnsNS, dnsPTR:
		w.name(r.target)
	case dnsSRV:
		w.b = append(w.b, 0, 0, 0, 0)
		w.b = binary.BigEndian.AppendUint16(w.b, r.port)
		w.name(r.target)
	case dnsMX:
		w.b = binary.BigEndian.AppendUint16(w.b, r.pref)
		w.name(r.target)
	case dnsTXT:
		for _, s := range r.txt {
			w.b = append(w.b, byte(len(s)))
			w.b = append(w.b, s...)
		}
	case dnsSOA:
		w.name(r.soa.mname)
		w.name(r.soa.rname)
		w.b = binary.BigEndian.AppendUint32(w.b, r.soa.serial)
		w.b = binary.BigEndian.AppendUint32(w.b, 7200)
		w.b = binary.BigEndian.AppendUint32(w.b, 3600)
		w.b = binary.BigEndian.AppendUint32(w.b, 1209600)
		w.b = binary.BigEndian.AppendUint32(w.b, r.soa.minimum)
	}
	binary.BigEndian.PutUint16(w.b[lenAt:], uint16(len(w.b)-lenAt-2))
}

// opt appends an EDNS0 OPT pseudo-record advertising size.
func (w *dnsWriter) opt(size uint16) {
	w.b = append(w.b, 0)
	w.b = binary.BigEndian.AppendUint16(w.b, dnsOPT)
	w.b = binary.BigEndian.AppendUint16(w.b, size)
	w.b = append(w.b, 0, 0, 0, 0, 0, 0)
}

// dnsQuery encodes a recursive query.
func dnsQuery(id uint16, name string, qtype uint16, edns uint16) []byte {
	ar := 0
	if edns > 0 {
		ar = 1
	}
	w := newDNS(id, 0x0100, 1, 0, 0, ar)
	w.question(name, qtype)
	if edns > 0 {
		w.opt(edns)
	}
	return w.b
}

// dnsAnswer encodes a recursive resolver's response.
func dnsAnswer(id uint16, name string, qtype uint16, rcode int, ans, auth []rr, edns uint16) []byte {
	ar := 0
	if edns > 0 {
		ar = 1
	}
	w := newDNS(id, 0x8180|uint16(rcode), 1, len(ans), len(auth), ar)
	w.question(name, qtype)
	for i := range ans {
		w.record(&ans[i])
	}
	for i := range auth {
		w.record(&auth[i])
	}
	if edns > 0 {
		w.opt(edns)
	}
	return w.b
}

// zoneOf guesses the zone apex that would hold a name's SOA: the last two
// labels, or three under common second-level public suffixes.
func zoneOf(name string) string {
	labels := strings.Split(name, ".")
	k := 2
	if len(labels) >= 3 {
		switch labels[len(labels)-2] {
		case "co", "com", "org", "net", "ac", "gov":
			if len(labels[len(labels)-1]) == 2 {
				k = 3
			}
		}
	}
	if len(labels) <= k {
		return name
	}
	return strings.Join(labels[len(labels)-k:], ".")
}

func soaFor(zone string, ttl uint32) rr {
	return rr{name: zone, typ: dnsSOA, ttl: ttl, soa: &soaData{mname: "ns1." + zone, rname: "hostmaster." + zone,
		serial: 2026022401, minimum: ttl}}
}
