package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
	"flowsift/extract/flow"
	"flowsift/extract/table"
)

// ErrUnknownUID is returned by Carve for a uid that is not in the table.
var ErrUnknownUID = errors.New("extract: uid not in flows.parquet")

// CarveStats reports what Carve wrote.
type CarveStats struct {
	Flows   int
	Packets int64
}

// carveFlow is what identifies a flow's packets in the original capture.
type carveFlow struct {
	uid        string
	orig, resp netip.AddrPort
	ipProto    uint8
	vlan       int64 // -1: untagged
	file       int
	firstPkt   int64
	from, to   int64 // nanoseconds, inclusive
}

// Carve copies the packets of the flows with the given uids from the
// original capture files (as recorded in DIR's manifest) to w, in capture
// order: classic pcap with nanosecond timestamps, or pcapng when ng is
// set (needed when the flows come from files of different link types).
func Carve(ctx context.Context, dir string, uids []string, w io.Writer, ng bool) (CarveStats, error) {
	var st CarveStats
	m, err := ReadManifest(dir)
	if err != nil {
		return st, err
	}
	flows, err := carveTargets(filepath.Join(dir, FlowsFile), m, uids)
	if err != nil {
		return st, err
	}
	st.Flows = len(flows)
	start := len(m.Files)
	var end int64
	for _, f := range flows {
		start = min(start, f.file)
		end = max(end, f.to)
	}
	paths := make([]string, 0, len(m.Files)-start)
	for _, f := range m.Files[start:] {
		if err := verifyOriginal(ctx, f); err != nil {
			return st, err
		}
		paths = append(paths, f.Path)
	}
	src, err := capture.Open(paths, capture.Options{})
	if err != nil {
		return st, fmt.Errorf("open original capture: %w", err)
	}
	out := newCarveWriter(w, ng)
	var dec decode.Decoder
	var p decode.Packet
	// Timestamps can run backwards a little; stop only well past the end.
	const slack = int64(10 * time.Second)
	for pkt, err := range src.Packets(ctx) {
		if err != nil {
			return st, err
		}
		if pkt.Timestamp > end+slack {
			break
		}
		res := dec.Decode(pkt.LinkType, pkt.Data, &p)
		if !res.HasIP() {
			continue
		}
		file := start + pkt.File
		for i := range flows {
			if flows[i].matches(&p, file, pkt) {
				if err := out.write(pkt); err != nil {
					return st, err
				}
				st.Packets++
				break
			}
		}
	}
	return st, out.flush()
}

func (c *carveFlow) matches(p *decode.Packet, file int, pkt *capture.Packet) bool {
	if file < c.file || file == c.file && pkt.Number < c.firstPkt || pkt.Timestamp < c.from || pkt.Timestamp > c.to {
		return false
	}
	if p.NumVLANs > 0 {
		if int64(p.VLAN) != c.vlan {
			return false
		}
	} else if c.vlan >= 0 {
		return false
	}
	// Any encapsulation level may hold the flow (a tunnel's UDP flow, or
	// the flow inside it).
	for i := range p.NumOuter + 1 {
		h := &p.IPHeader
		if i < p.NumOuter {
			h = &p.Outer[i]
		}
		if c.matchHeader(h, p) {
			return true
		}
	}
	return false
}

func (c *carveFlow) matchHeader(h *decode.IPHeader, p *decode.Packet) bool {
	if h.Proto != c.ipProto {
		return false
	}
	src, dst := flow.AddrOf(&h.Src, h.Version), flow.AddrOf(&h.Dst, h.Version)
	if h.Fragment && h.FragOffset != 0 {
		// Later fragments carry no ports: addresses decide.
		return src == c.orig.Addr() && dst == c.resp.Addr() || src == c.resp.Addr() && dst == c.orig.Addr()
	}
	sp, dp := h.SrcPort, h.DstPort
	switch h.Proto {
	case decode.ProtoICMP, decode.ProtoICMPv6:
		// Flow "ports" of ICMP are type and counterpart: match on addresses.
		sp, dp = c.orig.Port(), c.resp.Port()
		if src != c.orig.Addr() {
			sp, dp = dp, sp
		}
	case decode.ProtoTCP, decode.ProtoUDP:
	default:
		sp, dp = 0, 0
	}
	a, b := netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	return a == c.orig && b == c.resp || a == c.resp && b == c.orig
}

func carveTargets(path string, m *Manifest, uids []string) ([]carveFlow, error) {
	f, err := table.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cols := []string{"uid", "orig_h", "orig_p", "resp_h", "resp_p", "ip_proto", "vlan", "capture_file", "first_pkt_no", "ts", "ts_end"}
	want := make(map[string]bool, len(uids))
	for _, u := range uids {
		want[u] = true
	}
	var out []carveFlow
	for t, err := range f.Batches(cols...) {
		if err != nil {
			return nil, err
		}
		uidc := t.Column("uid")
		for i := range t.Rows {
			u := uidc.Strs[i]
			if !want[u] {
				continue
			}
			delete(want, u)
			cf, err := targetOf(t, i, m)
			if err != nil {
				return nil, fmt.Errorf("flow %s: %w", u, err)
			}
			out = append(out, cf)
		}
	}
	if len(want) > 0 {
		missing := slices.Sorted(func(yield func(string) bool) {
			for u := range want {
				if !yield(u) {
					return
				}
			}
		})
		return nil, fmt.Errorf("%w: %s", ErrUnknownUID, strings.Join(missing, ", "))
	}
	return out, nil
}

func targetOf(t *table.Table, i int, m *Manifest) (carveFlow, error) {
	orig, err := netip.ParseAddr(t.Column("orig_h").Strs[i])
	if err != nil {
		return carveFlow{}, err
	}
	resp, err := netip.ParseAddr(t.Column("resp_h").Strs[i])
	if err != nil {
		return carveFlow{}, err
	}
	cf := carveFlow{
		uid:      t.Column("uid").Strs[i],
		orig:     netip.AddrPortFrom(orig, uint16(t.Column("orig_p").Ints[i])),
		resp:     netip.AddrPortFrom(resp, uint16(t.Column("resp_p").Ints[i])),
		ipProto:  uint8(t.Column("ip_proto").Ints[i]),
		vlan:     -1,
		firstPkt: t.Column("first_pkt_no").Ints[i],
		from:     t.Column("ts").Ints[i],
		to:       t.Column("ts_end").Ints[i] + 999, // microsecond column: the last packet is within the microsecond
		file:     -1,
	}
	if v := t.Column("vlan"); !v.IsNull(i) {
		cf.vlan = v.Ints[i]
	}
	name := t.Column("capture_file").Strs[i]
	for j, f := range m.Files {
		if filepath.Base(f.Path) == name {
			cf.file = j
			break
		}
	}
	if cf.file < 0 {
		return cf, fmt.Errorf("capture file %s is not in the manifest", name)
	}
	return cf, nil
}

// carveWriter writes pcap, or pcapng with one interface per link type.
type carveWriter struct {
	w     io.Writer
	ng    bool
	pcap  *pcapgo.Writer
	png   *pcapgo.NgWriter
	link  capture.LinkType
	ifIdx map[capture.LinkType]int
}

func newCarveWriter(w io.Writer, ng bool) *carveWriter {
	return &carveWriter{w: w, ng: ng, ifIdx: map[capture.LinkType]int{}}
}

// ErrMixedLinkTypes is returned when a classic pcap output would need more
// than one link type.
var ErrMixedLinkTypes = errors.New("extract: the flows span several link types; write pcapng (.pcapng) instead")

func (c *carveWriter) write(pkt *capture.Packet) error {
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, pkt.Timestamp).UTC(), CaptureLength: len(pkt.Data), Length: pkt.WireLen}
	if !c.ng {
		if c.pcap == nil {
			c.pcap = pcapgo.NewWriterNanos(c.w)
			if err := c.pcap.WriteFileHeader(262144, layers.LinkType(pkt.LinkType)); err != nil {
				return err
			}
			c.link = pkt.LinkType
		}
		if pkt.LinkType != c.link {
			return ErrMixedLinkTypes
		}
		return c.pcap.WritePacket(ci, pkt.Data)
	}
	idx, ok := c.ifIdx[pkt.LinkType]
	if !ok {
		intf := pcapgo.NgInterface{Name: pkt.LinkType.String(), LinkType: layers.LinkType(pkt.LinkType), TimestampResolution: 9}
		var err error
		if c.png == nil {
			c.png, err = pcapgo.NewNgWriterInterface(c.w, intf, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "flowsift"}})
			idx = 0
		} else {
			idx, err = c.png.AddInterface(intf)
		}
		if err != nil {
			return err
		}
		c.ifIdx[pkt.LinkType] = idx
	}
	ci.InterfaceIndex = idx
	return c.png.WritePacket(ci, pkt.Data)
}

func (c *carveWriter) flush() error {
	switch {
	case c.png != nil:
		return c.png.Flush()
	case c.pcap == nil && !c.ng:
		// No packet matched: still write a valid, empty capture.
		return pcapgo.NewWriterNanos(c.w).WriteFileHeader(262144, layers.LinkTypeEthernet)
	}
	return nil
}

// verifyOriginal checks that a capture file is still the one extract read:
// evidence cut from a different file would be wrong without any sign of it.
func verifyOriginal(ctx context.Context, f capture.FileStats) error {
	fi, err := os.Stat(f.Path)
	if err != nil {
		return fmt.Errorf("original capture: %w", err)
	}
	if fi.Size() != f.Size {
		return fmt.Errorf("%w: %s is %d bytes, extract read %d", ErrCaptureChanged, f.Path, fi.Size(), f.Size)
	}
	if f.SHA256 == "" {
		return nil // extracted with --no-hash
	}
	r, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("original capture: %w", err)
	}
	defer r.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err // hashing a large capture can take a while
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("original capture %s: %w", f.Path, err)
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%w: %s has SHA-256 %s, extract read %s", ErrCaptureChanged, f.Path, got, f.SHA256)
	}
	return nil
}
