package dns

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"flowsift/extract/proto/text"
)

// MaxNameLen bounds a decoded name in octets, dots included. The wire format
// allows 253; Zeek's decoder gives up at 512, and so do we, so that a name a
// sloppy or hostile sender made too long is still reported.
const MaxNameLen = 512

// maxPointers bounds the compression pointers one name may follow. Pointers
// must already go strictly backwards, so this only bounds the work a hostile
// message can cause.
const maxPointers = 64

// Record types and classes the decoder treats specially.
const (
	typeA      = 1
	typeNS     = 2
	typeCNAME  = 5
	typeSOA    = 6
	typePTR    = 12
	typeMX     = 15
	typeTXT    = 16
	typeAAAA   = 28
	typeLOC    = 29
	typeSRV    = 33
	typeNAPTR  = 35
	typeA6     = 38
	typeDS     = 43
	typeSSHFP  = 44
	typeRRSIG  = 46
	typeNSEC   = 47
	typeDNSKEY = 48
	typeNSEC3  = 50
	typeNSEC3P = 51
	typeSPF    = 99
	typeANY    = 255
	typeBINDS  = 65534

	classNONE = 254
	classANY  = 255

	opQuery  = 0
	opNotify = 4
	opUpdate = 5
)

// Message is one decoded DNS message. Its byte slices point into buffers the
// Message owns and reuses: they are valid until the next [Parse] into the
// same Message.
type Message struct {
	ID     uint16
	QR     bool // set in responses
	Opcode uint8
	AA     bool
	TC     bool
	RD     bool
	RA     bool
	// Z holds the three bits after RA (Z, AD and CD), as Zeek reports them.
	Z     uint8
	Rcode uint8

	QDCount, ANCount, NSCount, ARCount uint16

	// HasQuestion is set when the first question was decoded.
	HasQuestion bool
	// Query is the first question's name: lower-case, no trailing dot,
	// escaped as package text does; empty for the root.
	Query []byte
	// RawQuery is the same name as sent (ASCII letters lower-cased, labels
	// joined by dots), the input of [NameMetrics].
	RawQuery []byte
	QType    uint16
	QClass   uint16

	// Answers holds the records of the answer section (for dynamic updates,
	// the prerequisite and update sections, as Zeek reads them).
	Answers []Answer

	buf   []byte // escaped text: Query, then record names and texts
	raw   []byte // RawQuery
	tmp   []byte // raw text of the record being rendered
	name  []byte // raw owner name of the record being rendered
	spans []answerSpan
	qs    span
}

// Answer is one resource record.
type Answer struct {
	// Name is the owner name, rendered like Message.Query.
	Name  []byte
	Type  uint16
	Class uint16
	TTL   uint32
	// Text is the RDATA as Zeek's dns.log shows it, escaped; empty for the
	// types Zeek logs nothing for and for records that could not be decoded.
	Text []byte
}

type span struct{ start, end int }

type answerSpan struct{ name, text span }

func (m *Message) reset() {
	*m = Message{
		Answers: m.Answers[:0],
		buf:     m.buf[:0],
		raw:     m.raw[:0],
		tmp:     m.tmp[:0],
		name:    m.name[:0],
		spans:   m.spans[:0],
	}
}

// Parse decodes msg into m, reusing m's buffers. On a problem it returns a
// [Problem] and leaves in m everything decoded before it; [ErrBadRData] only
// means that some records were skipped.
func Parse(msg []byte, m *Message) error {
	m.reset()
	p := m.parse(msg)
	m.finish()
	if p == 0 {
		return nil
	}
	return p
}

func (m *Message) finish() {
	m.Query = m.buf[m.qs.start:m.qs.end:m.qs.end]
	m.RawQuery = m.raw
	for i, s := range m.spans {
		m.Answers[i].Name = m.buf[s.name.start:s.name.end:s.name.end]
		m.Answers[i].Text = m.buf[s.text.start:s.text.end:s.text.end]
	}
}

func (m *Message) parse(msg []byte) Problem {
	if len(msg) < 12 {
		return ErrShort
	}
	m.ID = binary.BigEndian.Uint16(msg)
	flags := binary.BigEndian.Uint16(msg[2:])
	m.QR = flags&0x8000 != 0
	m.Opcode = uint8(flags>>11) & 0xf
	m.AA = flags&0x0400 != 0
	m.TC = flags&0x0200 != 0
	m.RD = flags&0x0100 != 0
	m.RA = flags&0x0080 != 0
	m.Z = uint8(flags>>4) & 0x7
	m.Rcode = uint8(flags & 0xf)
	m.QDCount = binary.BigEndian.Uint16(msg[4:])
	m.ANCount = binary.BigEndian.Uint16(msg[6:])
	m.NSCount = binary.BigEndian.Uint16(msg[8:])
	m.ARCount = binary.BigEndian.Uint16(msg[10:])

	off := 12
	var first Problem
	for i := 0; i < int(m.QDCount); i++ {
		if i == 0 {
			raw, end, p := readName(msg, off, m.raw[:0])
			m.raw = raw
			if p != 0 {
				if end < 0 {
					m.raw = m.raw[:0]
					return p
				}
				first = p
			}
			if end+4 > len(msg) {
				m.raw = m.raw[:0]
				return ErrTruncated
			}
			m.HasQuestion = true
			m.QType = binary.BigEndian.Uint16(msg[end:])
			m.QClass = binary.BigEndian.Uint16(msg[end+2:])
			m.qs.start = len(m.buf)
			m.buf = text.Append(m.buf, m.raw)
			m.qs.end = len(m.buf)
			off = end + 4
			continue
		}
		end, p := skipName(msg, off)
		if p != 0 {
			if end < 0 {
				return p
			}
			if first == 0 {
				first = p
			}
		}
		if end+4 > len(msg) {
			return ErrTruncated
		}
		off = end + 4
	}

	update := m.Opcode == opUpdate
	n := int(m.ANCount)
	if update {
		n += int(m.NSCount)
	}
	for i := 0; i < n; i++ {
		var err Problem
		var end int
		m.name, end, err = readName(msg, off, m.name[:0])
		if err != 0 {
			if end < 0 {
				return err
			}
			if first == 0 {
				first = err
			}
		}
		off = end
		if off+10 > len(msg) {
			return ErrTruncated
		}
		var a Answer
		a.Type = binary.BigEndian.Uint16(msg[off:])
		a.Class = binary.BigEndian.Uint16(msg[off+2:])
		a.TTL = binary.BigEndian.Uint32(msg[off+4:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		off += 10
		if off+rdlen > len(msg) {
			return ErrTruncated
		}
		m.tmp = m.tmp[:0]
		var p Problem
		switch {
		case !update:
			p = m.render(msg, off, off+rdlen, a.Type, false)
		case i < int(m.ANCount):
			m.prerequisite(a, rdlen)
		default:
			p = m.update(msg, off, off+rdlen, a, rdlen)
		}
		if p != 0 {
			m.tmp = m.tmp[:0]
			if first == 0 {
				first = p
			}
		}
		off += rdlen

		var s answerSpan
		s.name.start = len(m.buf)
		m.buf = text.Append(m.buf, m.name)
		s.name.end = len(m.buf)
		s.text.start = len(m.buf)
		m.buf = text.Append(m.buf, m.tmp)
		s.text.end = len(m.buf)
		m.spans = append(m.spans, s)
		m.Answers = append(m.Answers, a)
	}
	return first
}

// readName appends the name at off to dst (raw octets, ASCII lower-cased,
// labels joined by dots) and returns the offset just past the name where it
// started, or -1 when that is unknown.
//
// Once the name's extent in place is known (its terminating zero or its
// first pointer has been read), a problem further on (a name longer than
// MaxNameLen, a bad pointer, a truncated target) still returns that end
// offset, so the message stays parseable; dst then holds the labels decoded
// before the problem, cut at MaxNameLen.
func readName(msg []byte, off int, dst []byte) ([]byte, int, Problem) {
	start := len(dst)
	end := -1
	seg := off
	jumps := 0
	long := false
	for {
		if off >= len(msg) {
			return dst, end, ErrTruncated
		}
		c := msg[off]
		switch {
		case c == 0:
			if end < 0 {
				end = off + 1
			}
			if long {
				return dst, end, ErrNameTooLong
			}
			return dst, end, 0
		case c < 0x40:
			l := int(c)
			if off+1+l > len(msg) {
				return dst, end, ErrTruncated
			}
			if long || len(dst)-start+1+l > MaxNameLen {
				long = true
				off += 1 + l
				continue
			}
			if len(dst) > start {
				dst = append(dst, '.')
			}
			for _, x := range msg[off+1 : off+1+l] {
				if 'A' <= x && x <= 'Z' {
					x += 'a' - 'A'
				}
				dst = append(dst, x)
			}
			off += 1 + l
		case c >= 0xc0:
			if off+1 >= len(msg) {
				return dst, end, ErrTruncated
			}
			p := int(c&0x3f)<<8 | int(msg[off+1])
			if end < 0 {
				end = off + 2
			}
			// Only pointers strictly before the current segment are
			// accepted, so every jump goes backwards and no loop exists.
			if p >= seg || jumps >= maxPointers {
				return dst, end, ErrBadPointer
			}
			jumps++
			seg, off = p, p
		default:
			return dst, end, ErrBadLabel
		}
	}
}

// skipName returns the offset past the name at off, validating it fully so
// that a question we do not keep cannot hide a malformed name.
func skipName(msg []byte, off int) (int, Problem) {
	var scratch [MaxNameLen + 64]byte
	_, end, p := readName(msg, off, scratch[:0])
	return end, p
}

// rdName decodes a name inside RDATA [off, end) and appends it to m.tmp.
func (m *Message) rdName(msg []byte, off, end int) (int, Problem) {
	var next int
	var p Problem
	// Pointers may reach anywhere before the name, but its inline labels
	// must stay inside the record.
	m.tmp, next, p = readName(msg[:end], off, m.tmp)
	if p == ErrTruncated {
		p = ErrBadRData
	}
	return next, p
}

// render appends the dns.log text of one record's RDATA to m.tmp.
func (m *Message) render(msg []byte, off, end int, typ uint16, update bool) Problem {
	rd := msg[off:end]
	switch typ {
	case typeA:
		if len(rd) != 4 {
			return ErrBadRData
		}
		if update {
			m.tmp = append(m.tmp, "A "...)
			m.tmp = append(m.tmp, m.name...)
			m.tmp = append(m.tmp, ' ')
		}
		m.tmp = netip.AddrFrom4([4]byte(rd)).AppendTo(m.tmp)
	case typeAAAA, typeA6:
		if len(rd) != 16 {
			return ErrBadRData
		}
		if update {
			m.tmp = append(m.tmp, QTypeName(typ)...)
			m.tmp = append(m.tmp, ' ')
			m.tmp = append(m.tmp, m.name...)
			m.tmp = append(m.tmp, ' ')
		}
		m.tmp = netip.AddrFrom16([16]byte(rd)).AppendTo(m.tmp)
	case typeNS, typeCNAME, typePTR, typeSOA:
		// SOA shows its MNAME only, as Zeek's log does.
		_, p := m.rdName(msg, off, end)
		return p
	case typeMX:
		if len(rd) < 3 {
			return ErrBadRData
		}
		_, p := m.rdName(msg, off+2, end)
		return p
	case typeSRV:
		if len(rd) < 7 {
			return ErrBadRData
		}
		_, p := m.rdName(msg, off+6, end)
		return p
	case typeTXT, typeSPF:
		return m.charStrings(rd, typ)
	case typeNAPTR:
		return m.naptr(msg, off, end)
	case typeRRSIG:
		if len(rd) < 19 {
			return ErrBadRData
		}
		m.tmp = append(m.tmp, "RRSIG "...)
		m.tmp = strconv.AppendUint(m.tmp, uint64(binary.BigEndian.Uint16(rd)), 10)
		m.tmp = append(m.tmp, ' ')
		mark := len(m.tmp)
		_, p := m.rdName(msg, off+18, end)
		if p != 0 {
			return p
		}
		if len(m.tmp) == mark {
			m.tmp = append(m.tmp, "<Root>"...)
		}
	case typeDNSKEY:
		if len(rd) < 4 {
			return ErrBadRData
		}
		m.tmp = append(m.tmp, "DNSKEY "...)
		m.tmp = strconv.AppendUint(m.tmp, uint64(rd[3]), 10)
	case typeNSEC:
		m.tmp = append(m.tmp, "NSEC "...)
		m.tmp = append(m.tmp, m.name...)
		m.tmp = append(m.tmp, ' ')
		_, p := m.rdName(msg, off, end)
		return p
	case typeNSEC3:
		m.tmp = append(m.tmp, "NSEC3"...)
	case typeNSEC3P:
		m.tmp = append(m.tmp, "NSEC3PARAM"...)
	case typeDS:
		if len(rd) < 4 {
			return ErrBadRData
		}
		m.tmp = append(m.tmp, "DS "...)
		m.tmp = strconv.AppendUint(m.tmp, uint64(rd[2]), 10)
		m.tmp = append(m.tmp, ' ')
		m.tmp = strconv.AppendUint(m.tmp, uint64(rd[3]), 10)
	case typeBINDS:
		m.tmp = append(m.tmp, "BIND9 signing signal"...)
	case typeSSHFP:
		if len(rd) < 2 {
			return ErrBadRData
		}
		m.tmp = append(m.tmp, "SSHFP: "...)
		for _, c := range rd[2:] {
			m.tmp = append(m.tmp, hexLower[c>>4], hexLower[c&0xf])
		}
	case typeLOC:
		if len(rd) != 16 {
			return ErrBadRData
		}
		m.tmp = append(m.tmp, "LOC:  "...)
		m.tmp = strconv.AppendUint(m.tmp, uint64(rd[1]), 10)
		m.tmp = append(m.tmp, ' ')
		m.tmp = strconv.AppendUint(m.tmp, uint64(rd[2]), 10)
		m.tmp = append(m.tmp, ' ')
		m.tmp = strconv.AppendUint(m.tmp, uint64(rd[3]), 10)
	case 11, 13, 32, 41, 64, 65, 249, 250, 257:
		// WKS, HINFO, NetBIOS NB, OPT, SVCB, HTTPS, TKEY, TSIG and CAA are
		// decoded by Zeek but its dns.log shows nothing for them.
	default:
		m.tmp = append(m.tmp, "<unknown type="...)
		m.tmp = strconv.AppendUint(m.tmp, uint64(typ), 10)
		m.tmp = append(m.tmp, '>')
	}
	return 0
}

const hexLower = "0123456789abcdef"

// charStrings renders TXT and SPF data as Zeek does: "TXT <len> <string>"
// for each character string, separated by spaces.
func (m *Message) charStrings(rd []byte, typ uint16) Problem {
	label := "TXT "
	if typ == typeSPF {
		label = "SPF "
	}
	for i, n := 0, 0; i < len(rd); n++ {
		l := int(rd[i])
		if i+1+l > len(rd) {
			// Zeek keeps the strings before the broken one.
			return ErrBadRData
		}
		if n > 0 {
			m.tmp = append(m.tmp, ' ')
		}
		m.tmp = append(m.tmp, label...)
		m.tmp = strconv.AppendUint(m.tmp, uint64(l), 10)
		m.tmp = append(m.tmp, ' ')
		m.tmp = append(m.tmp, rd[i+1:i+1+l]...)
		i += 1 + l
	}
	return 0
}

// naptr renders "NAPTR order preference flags service regexp replacement"
// the way Zeek's script formats it.
func (m *Message) naptr(msg []byte, off, end int) Problem {
	if end-off < 5 {
		return ErrBadRData
	}
	order := binary.BigEndian.Uint16(msg[off:])
	pref := binary.BigEndian.Uint16(msg[off+2:])
	i := off + 4
	var strs [3][]byte
	for k := range strs {
		if i >= end || i+1+int(msg[i]) > end {
			return ErrBadRData
		}
		l := int(msg[i])
		strs[k] = msg[i+1 : i+1+l]
		i += 1 + l
	}
	m.tmp = append(m.tmp, "NAPTR "...)
	m.tmp = strconv.AppendUint(m.tmp, uint64(order), 10)
	m.tmp = append(m.tmp, ' ')
	m.tmp = strconv.AppendUint(m.tmp, uint64(pref), 10)
	m.tmp = append(m.tmp, ' ')
	m.tmp = append(m.tmp, strs[0]...)
	m.tmp = append(m.tmp, ' ')
	m.tmp = append(m.tmp, strs[1]...)
	m.tmp = append(m.tmp, ' ')
	m.tmp = append(m.tmp, strs[2]...)
	// The replacement is a name; Zeek keeps its case.
	var scratch [MaxNameLen + 64]byte
	repl, _, p := readNameCase(msg[:end], i, scratch[:0])
	if p != 0 {
		return ErrBadRData
	}
	if len(repl) > 0 {
		if len(strs[2]) > 0 {
			m.tmp = append(m.tmp, ' ')
		}
		m.tmp = append(m.tmp, repl...)
	}
	return 0
}

// readNameCase is readName without lower-casing.
func readNameCase(msg []byte, off int, dst []byte) ([]byte, int, Problem) {
	start := len(dst)
	dst, end, p := readName(msg, off, dst)
	if p != 0 {
		return dst, end, p
	}
	// Re-read the labels to restore their case: readName already checked
	// every bound, so this walk cannot fail.
	out := dst[start:start]
	seg := off
	for {
		c := msg[seg]
		if c == 0 {
			break
		}
		if c >= 0xc0 {
			seg = int(c&0x3f)<<8 | int(msg[seg+1])
			continue
		}
		if len(out) > 0 {
			out = append(out, '.')
		}
		out = append(out, msg[seg+1:seg+1+int(c)]...)
		seg += 1 + int(c)
	}
	return dst[:start+len(out)], end, 0
}

// prerequisite renders a dynamic-update prerequisite as Zeek's
// dns_dynamic_update_pre handler does.
func (m *Message) prerequisite(a Answer, rdlen int) {
	if a.TTL != 0 {
		return
	}
	if !((a.Class == classANY || a.Class == classNONE) && rdlen == 0) && a.Class != m.QClass {
		return
	}
	m.tmp = append(m.tmp, "pre: "...)
	switch {
	case a.Class == classNONE && a.Type == typeANY:
		m.tmp = append(m.tmp, "NameNotInUse "...)
	case a.Class == classANY && a.Type == typeANY:
		m.tmp = append(m.tmp, "NameInUse "...)
	case a.Class == classNONE:
		m.tmp = append(m.tmp, "NoRRSet "...)
		m.tmp = append(m.tmp, QTypeName(a.Type)...)
		m.tmp = append(m.tmp, ' ')
	default:
		m.tmp = append(m.tmp, "RRSetExists "...)
		m.tmp = append(m.tmp, QTypeName(a.Type)...)
		m.tmp = append(m.tmp, ' ')
	}
	m.tmp = append(m.tmp, m.name...)
}

// update renders a dynamic-update record as Zeek does: deletions of whole
// RRsets as "del: ...", everything else as "add: " and the usual text.
func (m *Message) update(msg []byte, off, end int, a Answer, rdlen int) Problem {
	if a.Class == classANY && a.TTL == 0 && rdlen == 0 {
		m.tmp = append(m.tmp, "del: "...)
		if a.Type == typeANY {
			m.tmp = append(m.tmp, "RRSet * "...)
			m.tmp = append(m.tmp, m.name...)
		} else {
			m.tmp = append(m.tmp, "RRSet "...)
			m.tmp = append(m.tmp, QTypeName(a.Type)...)
		}
		return 0
	}
	if !(a.Class == classNONE && a.TTL == 0) && a.Class != m.QClass {
		return 0
	}
	m.tmp = append(m.tmp, "add: "...)
	mark := len(m.tmp)
	p := m.render(msg, off, end, a.Type, true)
	if p != 0 || len(m.tmp) == mark {
		m.tmp = m.tmp[:0]
	}
	return p
}
