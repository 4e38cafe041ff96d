package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"flowsift/extract"
	"flowsift/extract/capture"
)

func cmdInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("info", "[options] CAPTURE|DIR...", `
Read capture files (pcap or pcapng, optionally gzip- or zstd-compressed; a
directory means every capture in it) and print a summary like capinfos:
packets, bytes, link types, first and last timestamps, packets per protocol
and decode errors by kind. Damaged files are read as far as possible and the
problem is reported. Exit status 0 even when a file is damaged; 1 when no
file could be read.`, stdout)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{fmt.Errorf("no capture file given")}
	}
	opts := capture.Options{
		GapThreshold: 60 * time.Second,
		Warn:         func(err error) { fmt.Fprintf(stderr, "flowsift info: warning: %v\n", err) },
	}
	// Each argument on its own, so one unreadable file does not hide the
	// summaries of the others.
	sum := &extract.Summary{Protocols: map[string]int64{}, Decode: map[string]int64{}}
	for _, arg := range fs.Args() {
		s, err := extract.Summarize(ctx, []string{arg}, opts)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			sum.Skipped = append(sum.Skipped, capture.Skipped{Path: arg, Reason: err.Error()})
			continue
		}
		sum.Files = append(sum.Files, s.Files...)
		sum.Skipped = append(sum.Skipped, s.Skipped...)
		for k, v := range s.Protocols {
			sum.Protocols[k] += v
		}
		for k, v := range s.Decode {
			sum.Decode[k] += v
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		printSummary(stdout, sum)
	}
	if len(sum.Files) == 0 {
		return fmt.Errorf("no capture could be read")
	}
	return nil
}

func printSummary(w io.Writer, s *extract.Summary) {
	var pkts, bytes int64
	for _, f := range s.Files {
		fmt.Fprintf(w, "File:              %s\n", f.Path)
		format := f.Format
		if f.Compression != "" {
			format += " (" + f.Compression + ")"
		}
		fmt.Fprintf(w, "Format:            %s\n", format)
		fmt.Fprintf(w, "Size:              %d bytes\n", f.Size)
		fmt.Fprintf(w, "SHA256:            %s\n", f.SHA256)
		links := make([]string, len(f.LinkTypes))
		for i, l := range f.LinkTypes {
			links[i] = l.String()
		}
		fmt.Fprintf(w, "Link types:        %s\n", strings.Join(links, ", "))
		fmt.Fprintf(w, "Packets:           %d\n", f.Packets)
		fmt.Fprintf(w, "Captured bytes:    %d (wire %d)\n", f.CapturedBytes, f.WireBytes)
		if f.Packets > 0 {
			fmt.Fprintf(w, "First packet:      %s\n", fmtTS(f.FirstTS))
			fmt.Fprintf(w, "Last packet:       %s\n", fmtTS(f.LastTS))
			fmt.Fprintf(w, "Duration:          %s\n", time.Duration(f.LastTS-f.FirstTS))
		}
		if f.SnapLen > 0 {
			fmt.Fprintf(w, "Snap length:       %d (%d packets cut)\n", f.SnapLen, f.Truncated)
		}
		if f.TimeBackwards > 0 {
			fmt.Fprintf(w, "Time backwards:    %d packets\n", f.TimeBackwards)
		}
		if f.Gaps > 0 {
			fmt.Fprintf(w, "Gaps >= 60s:       %d (longest %s)\n", f.Gaps, time.Duration(f.MaxGapNS))
		}
		for _, k := range slices.Sorted(maps.Keys(f.Errors)) {
			fmt.Fprintf(w, "Read error:        %s x%d (%s)\n", k, f.Errors[k], f.Error)
		}
		fmt.Fprintln(w)
		pkts += f.Packets
		bytes += f.CapturedBytes
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "Skipped:           %s (%s)\n", sk.Path, sk.Reason)
	}
	if len(s.Files) > 1 {
		fmt.Fprintf(w, "Total:             %d files, %d packets, %d bytes\n", len(s.Files), pkts, bytes)
	}
	fmt.Fprintln(w, "Protocols:")
	printCounts(w, s.Protocols)
	if len(s.Decode) > 0 {
		fmt.Fprintln(w, "Decode results other than ok:")
		printCounts(w, s.Decode)
	}
}

func printCounts(w io.Writer, m map[string]int64) {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int { return int(m[b] - m[a]) })
	for _, k := range keys {
		fmt.Fprintf(w, "  %-20s %d\n", k, m[k])
	}
}

func fmtTS(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05.000000000 UTC")
}
