package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"flowsift/extract"
)

func cmdExtract(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("extract", "[options] -o DIR CAPTURE|DIR...", `
Read capture files (pcap or pcapng, optionally gzip- or zstd-compressed; a
directory means every capture in it) as one stream ordered by first
timestamp, and write to the output directory:

  flows.parquet   one row per bidirectional flow (Zeek conn.log semantics
                  plus NFStream/CICFlowMeter statistics)
  dns.parquet     one row per DNS query/response pair
  http.parquet    one row per HTTP request/response pair
  tls.parquet     one row per TLS handshake (JA3, JA4, JA3S, certificate)
  capture.json    the capture manifest: per-file sha256, sizes, packet
                  counts, time range, link types, decode errors, capture
                  quality, tool version and options

Column names and types are documented in docs/schema.md. Tables are written
atomically: an interrupted run leaves no table that looks complete.`, stdout)
	cfg := extract.DefaultConfig()
	out := fs.StringP("output", "o", "", "output directory (created if missing)")
	fs.DurationVar(&cfg.Flow.IdleTimeout, "idle-timeout", cfg.Flow.IdleTimeout, "end a flow after this long without packets")
	fs.DurationVar(&cfg.Flow.UDPIdleTimeout, "udp-idle-timeout", 0, "idle timeout for UDP flows (0: --idle-timeout; Zeek uses 1m)")
	fs.DurationVar(&cfg.Flow.ICMPIdleTimeout, "icmp-idle-timeout", 0, "idle timeout for ICMP flows (0: --idle-timeout; Zeek uses 1m)")
	fs.DurationVar(&cfg.Flow.ActiveTimeout, "active-timeout", cfg.Flow.ActiveTimeout, "split longer flows into segments of this length (0: never)")
	fs.DurationVar(&cfg.Flow.AttemptTimeout, "attempt-timeout", cfg.Flow.AttemptTimeout, "end an unanswered TCP attempt this long after its SYN (Zeek tcp_attempt_delay)")
	fs.DurationVar(&cfg.Flow.CloseGrace, "close-grace", cfg.Flow.CloseGrace, "keep a closed TCP connection this long for its last packets (Zeek tcp_close_delay)")
	fs.IntVar(&cfg.Flow.MaxFlows, "max-flows", cfg.Flow.MaxFlows, "flows held at once; when full the flow closest to expiry is ended early (about 2 KiB each)")
	nets := fs.StringSlice("local-nets", nil, "CIDR prefixes that fill local_orig/local_resp (repeatable or comma-separated)")
	seed := fs.Uint16("community-id-seed", 0, "Community ID seed")
	noProto := fs.Bool("no-protocols", false, "skip the DNS, HTTP and TLS tables")
	fs.BoolVar(&cfg.NoHash, "no-hash", false, "skip the SHA-256 of the input files (the manifest then records none); on one core it costs about as much as decoding")
	fs.DurationVar(&cfg.GapThreshold, "gap-threshold", cfg.GapThreshold, "silence between packets counted as a capture gap in the manifest (0: count no gaps)")
	quiet := fs.BoolP("quiet", "q", false, "no progress display and no summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{fmt.Errorf("--output is required")}
	}
	if fs.NArg() == 0 {
		return usageError{fmt.Errorf("no capture file given")}
	}
	for _, n := range *nets {
		p, err := netip.ParsePrefix(strings.TrimSpace(n))
		if err != nil {
			return usageError{fmt.Errorf("--local-nets %q: not a CIDR prefix (10.0.0.0/8, 2001:db8::/32)", n)}
		}
		cfg.LocalNets = append(cfg.LocalNets, p.Masked())
	}
	if err := mustExist(fs.Args()...); err != nil {
		return err
	}
	cfg.Inputs = fs.Args()
	cfg.OutDir = *out
	cfg.CommunityIDSeed = *seed
	cfg.Protocols = !*noProto
	cfg.ToolVersion = version
	cfg.Warn = func(err error) { fmt.Fprintf(stderr, "flowsift extract: warning: %v\n", err) }
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	var bar *progressBar
	if !*quiet {
		bar = newProgressBar(stderr)
		cfg.Progress = bar.update
	}
	m, err := extract.Run(ctx, cfg)
	bar.done()
	removeDerived(*out, err, func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(stderr, "flowsift extract: "+format+"\n", a...)
		}
	})
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%d packets from %d %s -> %s:", m.Packets, len(m.Files), plural(len(m.Files), "file", "files"), *out)
		for _, k := range sortedNames(m.Tables) {
			fmt.Fprintf(stdout, " %s %d rows,", m.Tables[k].File, m.Tables[k].Rows)
		}
		fmt.Fprintf(stdout, " %s\n", extract.ManifestName)
	}
	return nil
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
