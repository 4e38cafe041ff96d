package pcaptest

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
)

// Dir returns the corpus folder named sub (e.g. "ndpi"), or skips tb when it
// does not exist.
func Dir(tb testing.TB, sub string) string {
	tb.Helper()
	dir, ok := Find(sub)
	if !ok {
		tb.Skipf("corpus folder %s is absent; skipping", dir)
	}
	return dir
}

// Find returns the corpus folder named sub and whether it exists, for fuzz
// targets that add corpus seeds when they can.
func Find(sub string) (string, bool) {
	root, err := moduleRoot()
	if err != nil {
		return "", false
	}
	dir := filepath.Join(root, "..", "shared", "corpus", sub)
	fi, err := os.Stat(dir)
	return dir, err == nil && fi.IsDir()
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Packet is a decoded packet with the fields the harness needs.
type Packet struct {
	Number   int64
	TS       int64
	Src, Dst netip.AddrPort
	Proto    uint8
	Flags    uint16
	Seq      uint32
	Payload  []byte
}

// Packets returns the decoded TCP and UDP packets of a capture file; the
// payloads are copies.
func Packets(tb testing.TB, path string) []Packet {
	tb.Helper()
	src, err := capture.Open([]string{path}, capture.Options{})
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	var out []Packet
	var d decode.Decoder
	var p decode.Packet
	for cp, err := range src.Packets(context.Background()) {
		if err != nil {
			tb.Fatalf("read %s: %v", path, err)
		}
		if d.Decode(cp.LinkType, cp.Data, &p) != decode.OK {
			continue
		}
		if p.Proto != decode.ProtoTCP && p.Proto != decode.ProtoUDP {
			continue
		}
		out = append(out, Packet{
			Number:  cp.Number,
			TS:      cp.Timestamp,
			Src:     netip.AddrPortFrom(addr(p.Version, p.Src), p.SrcPort),
			Dst:     netip.AddrPortFrom(addr(p.Version, p.Dst), p.DstPort),
			Proto:   p.Proto,
			Flags:   p.Flags,
			Seq:     p.Seq,
			Payload: slices.Clone(p.Payload),
		})
	}
	return out
}

func addr(version uint8, a decode.Addr) netip.Addr {
	if version == 4 {
		return netip.AddrFrom4([4]byte(a[:4]))
	}
	return netip.AddrFrom16(a)
}

// Fragments returns the frame numbers of a capture that hold non-first IP
// fragments, which the decoder leaves for the flow table to reassemble.
func Fragments(tb testing.TB, path string) map[int64]bool {
	tb.Helper()
	src, err := capture.Open([]string{path}, capture.Options{})
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	out := map[int64]bool{}
	var d decode.Decoder
	var p decode.Packet
	for cp, err := range src.Packets(context.Background()) {
		if err != nil {
			tb.Fatalf("read %s: %v", path, err)
		}
		if d.Decode(cp.LinkType, cp.Data, &p) == decode.Fragment {
			out[cp.Number] = true
		}
	}
	return out
}

// Datagram is one UDP payload.
type Datagram struct {
	Number   int64
	TS       int64
	Src, Dst netip.AddrPort
	Payload  []byte
}

// Datagrams returns the UDP payloads of a capture in capture order.
func Datagrams(tb testing.TB, path string) []Datagram {
	tb.Helper()
	var out []Datagram
	for _, p := range Packets(tb, path) {
		if p.Proto == decode.ProtoUDP {
			out = append(out, Datagram{Number: p.Number, TS: p.TS, Src: p.Src, Dst: p.Dst, Payload: p.Payload})
		}
	}
	return out
}

// Conn is one TCP connection. Client is the sender of the SYN, or of the
// first packet when the capture missed the handshake.
type Conn struct {
	Client, Server netip.AddrPort
	FirstNumber    int64
	FirstTS        int64
	// ToServer and ToClient are the reassembled payloads of each direction
	// up to the first hole or the size limit; the Gap fields say whether
	// reassembly stopped at a hole.
	ToServer, ToClient       []byte
	ToServerGap, ToClientGap bool
	// ToServerTS and ToClientTS are the times of the first payload byte.
	ToServerTS, ToClientTS int64
	// ToServerReordered and ToClientReordered are set when a segment
	// filled a hole left by segments captured before it: the capture
	// holds the direction out of order.
	ToServerReordered, ToClientReordered bool

	segs [2][]segment
	isn  [2]uint32
	syn  [2]bool
	seen [2]bool
}

type segment struct {
	seq  uint32
	data []byte
	ts   int64
}

// Conns returns the TCP connections of a capture in order of their first
// packet, each direction reassembled up to limit bytes.
func Conns(tb testing.TB, path string, limit int) []*Conn {
	tb.Helper()
	type key struct{ a, b netip.AddrPort }
	open := map[key]*Conn{}
	var all []*Conn
	for _, p := range Packets(tb, path) {
		if p.Proto != decode.ProtoTCP {
			continue
		}
		c := open[key{p.Src, p.Dst}]
		dir := 0
		if c == nil {
			c = open[key{p.Dst, p.Src}]
			dir = 1
		}
		synOnly := p.Flags&decode.SYN != 0 && p.Flags&decode.ACK == 0
		// A new SYN after data starts a new connection on a reused tuple.
		if c != nil && synOnly && (c.seen[0] || c.seen[1]) && len(c.segs[0])+len(c.segs[1]) > 0 {
			c = nil
		}
		if c == nil {
			c = &Conn{Client: p.Src, Server: p.Dst, FirstNumber: p.Number, FirstTS: p.TS}
			delete(open, key{p.Dst, p.Src})
			open[key{p.Src, p.Dst}] = c
			all = append(all, c)
			dir = 0
		}
		if p.Flags&decode.SYN != 0 {
			c.syn[dir] = true
			c.isn[dir] = p.Seq
		}
		if len(p.Payload) > 0 {
			c.segs[dir] = append(c.segs[dir], segment{seq: p.Seq, data: p.Payload, ts: p.TS})
		}
		c.seen[dir] = true
	}
	for _, c := range all {
		c.ToServerReordered = c.reordered(0)
		c.ToClientReordered = c.reordered(1)
		c.ToServer, c.ToServerGap, c.ToServerTS = c.reassemble(0, limit)
		c.ToClient, c.ToClientGap, c.ToClientTS = c.reassemble(1, limit)
		c.segs = [2][]segment{}
	}
	return all
}

// reordered reports whether, in capture order, a segment brought bytes
// below the highest sequence number already seen.
func (c *Conn) reordered(dir int) bool {
	segs := c.segs[dir]
	if len(segs) == 0 {
		return false
	}
	base := segs[0].seq
	type span struct{ lo, hi int64 }
	var seen []span
	covered := func(lo, hi int64) bool {
		for lo < hi {
			moved := false
			for _, s := range seen {
				if s.lo <= lo && lo < s.hi {
					lo, moved = s.hi, true
				}
			}
			if !moved {
				return false
			}
		}
		return true
	}
	var top int64
	for _, s := range segs {
		lo := int64(int32(s.seq - base))
		hi := lo + int64(len(s.data))
		if lo < top && !covered(lo, min(hi, top)) {
			return true
		}
		seen = append(seen, span{lo, hi})
		top = max(top, hi)
	}
	return false
}

func (c *Conn) reassemble(dir, limit int) ([]byte, bool, int64) {
	segs := c.segs[dir]
	if len(segs) == 0 {
		return nil, false, 0
	}
	base := segs[0].seq
	if c.syn[dir] {
		base = c.isn[dir] + 1
	} else {
		for _, s := range segs {
			if int32(s.seq-base) < 0 {
				base = s.seq
			}
		}
	}
	slices.SortStableFunc(segs, func(a, b segment) int { return int(int32(a.seq-base)) - int(int32(b.seq-base)) })
	var out []byte
	var ts int64
	next := uint32(0)
	for _, s := range segs {
		rel := s.seq - base
		end := rel + uint32(len(s.data))
		if int32(end-next) <= 0 {
			continue // retransmission of bytes we have
		}
		if int32(rel-next) > 0 {
			return out, true, ts
		}
		if len(out) == 0 {
			ts = s.ts
		}
		out = append(out, s.data[next-rel:]...)
		next = end
		if len(out) >= limit {
			return out[:limit], false, ts
		}
	}
	return out, false, ts
}

// ReadTSV reads a reference file written by testdata/proto/refgen.sh: a
// header line of field names, then one row per record, tab-separated.
func ReadTSV(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open reference: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var head []string
	var rows []map[string]string
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if head == nil {
			head = cols
			continue
		}
		row := map[string]string{}
		for i, h := range head {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read reference: %v", err)
	}
	return rows
}
