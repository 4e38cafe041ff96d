// Package anchor reads the Random Forest speed-anchor datasets written by
// the shared bench script (rf_anchor.py make N DIR) and measures memory, for
// flowsift's benchmarks and the library comparison module.
//
// # Input
//
// DIR/train.csv and DIR/test.csv: a header line, then rows of feature
// values followed by an integer label, comma separated. The directory comes
// from the FLOWSIFT_RF_ANCHOR_DIR environment variable.
//
// # Output
//
// Column-major float32 features ([feature][row]) and int labels.
package anchor

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EnvDir names the environment variable holding the anchor directory.
const EnvDir = "FLOWSIFT_RF_ANCHOR_DIR"

// ErrFormat is returned for a CSV line that cannot be parsed.
var ErrFormat = errors.New("anchor: malformed csv")

// Table is one CSV file.
type Table struct {
	Names []string
	X     [][]float32 // [feature][row]
	Y     []int
}

// Rows returns the number of rows.
func (t *Table) Rows() int { return len(t.Y) }

// Dir returns the anchor directory, or "" when the variable is unset.
func Dir() string { return os.Getenv(EnvDir) }

// Load reads DIR/train.csv and DIR/test.csv.
func Load(dir string) (train, test *Table, err error) {
	if train, err = ReadCSV(filepath.Join(dir, "train.csv")); err != nil {
		return nil, nil, err
	}
	if test, err = ReadCSV(filepath.Join(dir, "test.csv")); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// ReadCSV reads one anchor CSV file.
func ReadCSV(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read anchor: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	if !sc.Scan() {
		return nil, fmt.Errorf("%w: %s: no header", ErrFormat, path)
	}
	header := strings.Split(sc.Text(), ",")
	if len(header) < 2 {
		return nil, fmt.Errorf("%w: %s: header has %d columns", ErrFormat, path, len(header))
	}
	t := &Table{Names: header[:len(header)-1], X: make([][]float32, len(header)-1)}
	line := 1
	for sc.Scan() {
		line++
		s := sc.Text()
		for j := range t.X {
			i := strings.IndexByte(s, ',')
			if i < 0 {
				return nil, fmt.Errorf("%w: %s:%d: %d fields, want %d", ErrFormat, path, line, j+1, len(header))
			}
			v, err := strconv.ParseFloat(s[:i], 32)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: field %d: %w", ErrFormat, path, line, j+1, err)
			}
			t.X[j] = append(t.X[j], float32(v))
			s = s[i+1:]
		}
		y, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: label: %w", ErrFormat, path, line, err)
		}
		t.Y = append(t.Y, y)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read anchor %s: %w", path, err)
	}
	return t, nil
}

// HeapSampler records the peak of the Go heap (live and not yet swept
// objects, runtime/metrics "/memory/classes/heap/objects:bytes") while it
// runs, sampling every few milliseconds.
type HeapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// StartHeapSampler begins sampling.
func StartHeapSampler() *HeapSampler {
	h := &HeapSampler{stop: make(chan struct{})}
	h.wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			h.peak = max(h.peak, s[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	})
	return h
}

// Stop ends sampling and returns the peak in bytes.
func (h *HeapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak
}
