package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"flowsift/extract/capture"
)

func cmdCapture(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("capture", "-i IF --duration D -w FILE [options]", `
Capture packets on a network interface for a fixed time into a pcap file
(nanosecond timestamps, Ethernet or raw IP). No libpcap is needed: the
kernel filters with a BPF program flowsift builds itself.

--port and --host select what is kept, like tcpdump's
"(port P1 or port P2) and (host H1 or host H2)": ports of TCP, UDP and
SCTP, source or destination; hosts as source or destination. Without them
every frame is kept. Frames may carry up to two VLAN tags. IPv4 and IPv6
fragments after the first have no ports and are kept when their protocol
is TCP, UDP or SCTP (and a --host matches), so fragmented datagrams stay
whole; IPv6 packets are looked through up to four extension headers for
their ports.

Ctrl-C ends the capture early and keeps what was captured. The file
appears under its name only when complete, and an existing file is never
replaced. Capturing needs root or CAP_NET_RAW
(sudo setcap cap_net_raw+ep $(command -v flowsift)).

Exit status 0 when the file was written (also when interrupted), 1 when
the capture failed, 2 for usage errors, an unknown interface, an existing
output file and missing capture privilege.`, stdout)
	cfg := capture.DefaultLiveConfig()
	fs.StringVarP(&cfg.Interface, "interface", "i", "", "interface to capture on (see flowsift interfaces)")
	fs.Var(secondsOrDuration{&cfg.Duration}, "duration", "how long to capture: seconds or a duration such as 1m30s; 0 until interrupted")
	portArgs := fs.StringSlice("port", nil, "keep only packets to or from this port (repeatable or comma-separated)")
	hostArgs := fs.StringSlice("host", nil, "keep only packets to or from this IPv4 or IPv6 address (repeatable or comma-separated)")
	fs.IntVar(&cfg.SnapLen, "snaplen", cfg.SnapLen, "keep at most this many bytes of each packet")
	fs.BoolVar(&cfg.Promiscuous, "promiscuous", cfg.Promiscuous, "also capture frames addressed to other hosts (--promiscuous=false: only this host's)")
	fs.StringVarP(&cfg.Output, "write", "w", "", "pcap file to write; it must not exist")
	quiet := fs.BoolP("quiet", "q", false, "no progress display and no summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case cfg.Interface == "":
		return usageError{errors.New("--interface is required (see flowsift interfaces)")}
	case !fs.Changed("duration"):
		return usageError{errors.New("--duration is required (0 captures until interrupted)")}
	case cfg.Output == "":
		return usageError{errors.New("--write (-w) is required")}
	}
	for _, s := range *portArgs {
		p, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
		if err != nil || p == 0 {
			return usageError{fmt.Errorf("--port %q: not a port number (1-65535)", s)}
		}
		cfg.Ports = append(cfg.Ports, uint16(p))
	}
	for _, s := range *hostArgs {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return usageError{fmt.Errorf("--host %q: not an IPv4 or IPv6 address", s)}
		}
		cfg.Hosts = append(cfg.Hosts, a)
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	var line *captureLine
	if !*quiet {
		line = newCaptureLine(stderr, cfg.Duration)
	}
	st, err := capture.Live(ctx, cfg, line.update)
	line.done()
	if err != nil {
		if errors.Is(err, capture.ErrPermission) || errors.Is(err, capture.ErrNoInterface) || errors.Is(err, capture.ErrOutputExists) {
			return usageError{err}
		}
		return err
	}
	if !*quiet {
		filter := st.Filter
		if filter == "" {
			filter = "none"
		}
		note := ""
		if st.Interrupted {
			note = " (interrupted)"
		}
		fmt.Fprintf(stdout, "%d packets, %d bytes captured on %s in %s%s (filter: %s, %d dropped by the kernel) -> %s\n",
			st.Packets, st.Bytes, st.Interface, st.Elapsed.Round(time.Millisecond), note, filter, st.KernelDrops, st.Output)
	}
	return nil
}

// secondsOrDuration is a duration flag that also takes plain seconds, as
// the original tool's --duration did.
type secondsOrDuration struct{ d *time.Duration }

func (v secondsOrDuration) String() string {
	// pflag prints a default unless it reads as zero: the flag has none.
	if v.d == nil || *v.d == 0 {
		return ""
	}
	return v.d.String()
}

func (v secondsOrDuration) Type() string { return "duration" }

func (v secondsOrDuration) Set(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > float64(math.MaxInt64)/float64(time.Second) {
			return fmt.Errorf("%s seconds is not a duration", s)
		}
		*v.d = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is neither seconds nor a duration such as 1m30s", s)
	}
	if d < 0 {
		return fmt.Errorf("negative duration %s", s)
	}
	*v.d = d
	return nil
}

// captureLine shows a running capture on one terminal line; it is nil,
// and draws nothing, when stderr is not a terminal.
type captureLine struct {
	w        io.Writer
	duration time.Duration
	last     int
}

func newCaptureLine(w io.Writer, duration time.Duration) *captureLine {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &captureLine{w: w, duration: duration}
}

func (l *captureLine) update(st capture.LiveStats) {
	if l == nil {
		return
	}
	of := ""
	if l.duration > 0 {
		of = " of " + l.duration.String()
	}
	s := fmt.Sprintf("\rcapturing on %s: %s%s, %d packets, %d bytes, %d dropped ",
		st.Interface, st.Elapsed.Round(time.Second), of, st.Packets, st.Bytes, st.KernelDrops)
	// Pad over the end of a longer previous line.
	fmt.Fprintf(l.w, "%-*s", l.last, s)
	l.last = len(s)
}

func (l *captureLine) done() {
	if l == nil || l.last == 0 {
		return
	}
	fmt.Fprintf(l.w, "\r%*s\r", l.last, "")
}
