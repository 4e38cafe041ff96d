package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"golang.org/x/term"

	"flowsift/extract"
)

// progressBar draws extract progress on a terminal: bytes read of the
// total, packets per second and the time left. It draws nothing when the
// writer is not a terminal.
type progressBar struct {
	w    io.Writer
	last int
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: w}
}

func (b *progressBar) update(p extract.Progress) {
	if b == nil {
		return
	}
	frac := 0.0
	if p.BytesTotal > 0 {
		frac = float64(p.BytesRead) / float64(p.BytesTotal)
	}
	secs := p.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.Packets) / secs
	}
	eta := "--"
	if frac > 0.01 {
		eta = time.Duration(secs * (1 - frac) / frac * float64(time.Second)).Round(time.Second).String()
	}
	const width = 30
	filled := int(frac * width)
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '='
		} else {
			bar[i] = ' '
		}
	}
	line := fmt.Sprintf("\r[%s] %5.1f%% %s/%s  %.0f pkt/s  ETA %s ", bar, frac*100, humanBytes(p.BytesRead), humanBytes(p.BytesTotal), rate, eta)
	fmt.Fprint(b.w, line)
	b.last = len(line)
}

func (b *progressBar) done() {
	if b == nil || b.last == 0 {
		return
	}
	fmt.Fprintf(b.w, "\r%*s\r", b.last, "")
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
