//go:build linux

package capture

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

const (
	// drainMax bounds the wait, after the capture window closes, for the
	// reader to take in what the kernel had queued.
	drainMax = 2 * time.Second
	// flushEvery is the most capture time a crash of the process can lose
	// from the output file.
	flushEvery = time.Second
)

// Live captures packets on cfg.Interface into the pcap file cfg.Output
// until cfg.Duration has elapsed or ctx ends, and returns what it captured.
//
// It needs no cgo and no libpcap: an AF_PACKET socket with a classic BPF
// filter built from cfg (see [LiveConfig] for what the filter keeps). The
// file is Ethernet (or raw IP on interfaces without a link header), with
// nanosecond timestamps; it appears under its name only when complete, and
// when a capture fails part-way what was captured is still written. VLAN
// tags the kernel took off a frame are put back as 802.1Q tags.
//
// When ctx ends the capture, Live still writes the file, sets
// LiveStats.Interrupted and returns a nil error. progress, if not nil, is
// called from Live's goroutine once capture has started and then about
// every second.
//
// Errors: [ErrPermission] without the privilege to open a packet socket,
// [ErrNoInterface] for an unknown interface (the message lists those
// there are), [ErrOutputExists] when cfg.Output exists.
func Live(ctx context.Context, cfg LiveConfig, progress func(LiveStats)) (LiveStats, error) {
	st := LiveStats{Interface: cfg.Interface, Output: cfg.Output}
	if err := cfg.Validate(); err != nil {
		return st, fmt.Errorf("capture on %s: %w", cfg.Interface, err)
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	ifi, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return st, noInterface(cfg.Interface)
	}
	if _, err := os.Lstat(cfg.Output); err == nil {
		return st, fmt.Errorf("capture on %s: %s: %w", cfg.Interface, cfg.Output, ErrOutputExists)
	}
	hatype, err := hardwareType(ifi.Index)
	if err != nil {
		return st, liveError(cfg.Interface, err)
	}
	link, err := linkTypeOf(hatype)
	if err != nil {
		return st, liveError(cfg.Interface, err)
	}
	f := newFilter(cfg.Ports, cfg.Hosts)
	st.LinkType, st.Filter = link, f.String()
	prog, err := f.program(link, uint32(cfg.SnapLen))
	if err != nil {
		return st, liveError(cfg.Interface, err)
	}
	if hatype == unix.ARPHRD_LOOPBACK {
		prog = rejectOutgoing(prog)
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return st, liveError(cfg.Interface, err)
	}
	// Promiscuous mode means nothing on loopback.
	h, err := openHandle(cfg, raw, hatype != unix.ARPHRD_LOOPBACK)
	if err != nil {
		return st, liveError(cfg.Interface, err)
	}
	// Packets the socket queued before its filter was attached were not
	// filtered; the capture window starts here.
	st.Start = time.Now()
	w, err := CreatePcap(cfg.Output, link, cfg.SnapLen)
	if err != nil {
		h.Close()
		return st, liveError(cfg.Interface, err)
	}

	r := &liveReader{h: h, w: w, snapLen: cfg.SnapLen, retag: link == LinkEthernet, notBefore: st.Start}
	done := make(chan error, 1)
	go func() { done <- r.run() }()

	snapshot := func(now time.Time) LiveStats {
		s := st
		s.Elapsed = now.Sub(st.Start)
		s.Packets, s.Bytes, s.WireBytes = r.packets.Load(), r.bytes.Load(), r.wire.Load()
		return s
	}
	// The kernel's counters restart at every read; queued is what it
	// has put in the socket's queue in total.
	var queued int64
	kernelStats := func() {
		if ks, err := h.Stats(); err == nil {
			queued += int64(ks.Packets) - int64(ks.Drops)
			st.KernelDrops += int64(ks.Drops)
		}
	}
	if progress != nil {
		progress(snapshot(time.Now()))
	}
	var window <-chan time.Time
	if cfg.Duration > 0 {
		t := time.NewTimer(cfg.Duration)
		defer t.Stop()
		window = t.C
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()

	var readErr error
	readerDone := false
capture:
	for {
		select {
		case <-window:
			break capture
		case <-ctx.Done():
			st.Interrupted = true
			break capture
		case readErr = <-done:
			readerDone = true
			break capture
		case <-tick.C:
			kernelStats()
			if progress != nil {
				progress(snapshot(time.Now()))
			}
		}
	}
	end := time.Now()
	if !readerDone {
		// Close the window, then let the reader take in what the kernel
		// queued before it closed.
		_ = h.SetBPF(acceptNothing)
		kernelStats()
		r.waitForReads(queued, drainMax)
		r.stopping.Store(true)
		h.Close()
		readErr = <-done
	} else {
		kernelStats()
		h.Close()
	}
	st = snapshot(end)
	commitErr := w.Commit()
	switch {
	case readErr != nil && commitErr != nil:
		return st, liveError(cfg.Interface, fmt.Errorf("%w; %w", readErr, commitErr))
	case readErr != nil:
		return st, liveError(cfg.Interface, readErr)
	case commitErr != nil:
		return st, liveError(cfg.Interface, commitErr)
	}
	return st, nil
}

// openHandle opens the packet socket with its filter in place.
func openHandle(cfg LiveConfig, prog []bpf.RawInstruction, promiscAllowed bool) (*pcapgo.EthernetHandle, error) {
	h, err := pcapgo.NewEthernetHandle(cfg.Interface)
	if err != nil {
		return nil, err
	}
	if err := h.SetCaptureLength(cfg.SnapLen); err != nil {
		h.Close()
		return nil, err
	}
	if err := h.SetBPF(prog); err != nil {
		h.Close()
		return nil, fmt.Errorf("attach filter: %w", err)
	}
	if cfg.Promiscuous && promiscAllowed {
		if err := h.SetPromiscuous(true); err != nil {
			h.Close()
			return nil, fmt.Errorf("promiscuous mode: %w", err)
		}
	}
	return h, nil
}

// hardwareType returns the ARPHRD_ type of an interface. Opening a packet
// socket (with protocol 0, so that it receives nothing) is also the check
// that the process may capture at all: pcapgo's own errors do not wrap the
// errno.
func hardwareType(index int) (uint16, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("open packet socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: index}); err != nil {
		return 0, fmt.Errorf("bind packet socket: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return 0, fmt.Errorf("packet socket address: %w", err)
	}
	ll, ok := sa.(*unix.SockaddrLinklayer)
	if !ok {
		return 0, fmt.Errorf("packet socket address: unexpected %T", sa)
	}
	return ll.Hatype, nil
}

// linkTypeOf maps an ARPHRD_ type to the framing a packet socket delivers.
func linkTypeOf(hatype uint16) (LinkType, error) {
	switch hatype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		return LinkEthernet, nil
	case unix.ARPHRD_NONE, unix.ARPHRD_TUNNEL, unix.ARPHRD_TUNNEL6, unix.ARPHRD_SIT, unix.ARPHRD_PPP:
		// No link header: the socket hands over the IP packet.
		return LinkRaw, nil
	}
	return 0, fmt.Errorf("hardware type %d not supported (Ethernet, loopback and raw-IP interfaces are)", hatype)
}

// noInterface is the error for an unknown interface, naming those there are.
func noInterface(name string) error {
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) == 0 {
		return fmt.Errorf("capture on %s: %w", name, ErrNoInterface)
	}
	names := make([]string, len(ifs))
	for i, ifi := range ifs {
		names[i] = ifi.Name
	}
	slices.Sort(names)
	return fmt.Errorf("capture on %s: %w (available: %s)", name, ErrNoInterface, strings.Join(names, ", "))
}

// acceptNothing is the filter "ret #0".
var acceptNothing = []bpf.RawInstruction{{Op: unix.BPF_RET | unix.BPF_K, K: 0}}

// liveReader moves packets from the socket to the file on its own
// goroutine; the socket's buffer is reused, so reading and writing cannot
// be split across goroutines without a copy.
type liveReader struct {
	h         *pcapgo.EthernetHandle
	w         *PcapWriter
	snapLen   int
	retag     bool
	notBefore time.Time
	tagged    []byte // the frame with its VLAN tag put back

	packets, bytes, wire atomic.Int64
	reads                atomic.Int64 // packets taken from the socket, kept or not
	exited               atomic.Bool
	stopping             atomic.Bool // set before the socket is closed under the reader
}

func (r *liveReader) run() error {
	defer r.exited.Store(true)
	lastFlush := r.notBefore
	for {
		data, ci, err := r.h.ZeroCopyReadPacketData()
		if err != nil {
			if r.stopping.Load() {
				return nil
			}
			return fmt.Errorf("read: %w", err)
		}
		r.reads.Add(1)
		if ci.Timestamp.Before(r.notBefore) {
			continue
		}
		wire := max(ci.Length, len(data))
		if r.retag && len(ci.AncillaryData) > 0 {
			if vid, ok := ci.AncillaryData[0].(int); ok && len(data) >= 12 {
				data = r.withTag(data, vid)
				wire += 4
			}
		}
		if err := r.w.WritePacket(ci.Timestamp.UnixNano(), data, wire); err != nil {
			return err
		}
		n := min(len(data), r.snapLen)
		r.packets.Add(1)
		r.bytes.Add(int64(n))
		r.wire.Add(int64(wire))
		if ci.Timestamp.Sub(lastFlush) >= flushEvery {
			if err := r.w.Flush(); err != nil {
				return err
			}
			lastFlush = ci.Timestamp
		}
	}
}

// withTag returns the frame with an 802.1Q tag carrying vid after the MAC
// addresses, where the kernel found it. pcapgo reports only the VLAN id, so
// the priority bits are 0 and an 802.1ad outer tag comes back as 802.1Q.
func (r *liveReader) withTag(data []byte, vid int) []byte {
	b := append(r.tagged[:0], data[:12]...)
	b = append(b, etherTypeVLAN>>8, etherTypeVLAN&0xff, byte(vid>>8)&0x0f, byte(vid))
	b = append(b, data[12:]...)
	r.tagged = b
	return b[:min(len(b), r.snapLen)]
}

// waitForReads waits until the reader has taken n packets from the
// socket, has stopped, or limit has passed.
func (r *liveReader) waitForReads(n int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for r.reads.Load() < n && !r.exited.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}
