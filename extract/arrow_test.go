package extract

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"flowsift/datasets"
	"flowsift/extract/table"
)

// TestTablesReadByArrow reads every table extract writes with arrow-go's
// Parquet reader, an implementation independent of the parquet-go writer,
// and checks that it sees the types the schema documents (UTC timestamps,
// strings, lists) and the same values as flowsift's own reader, null for
// null.
func TestTablesReadByArrow(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "in.pcap")
	cfg := datasets.Config{Scenarios: []string{datasets.AttackDNSTunnel, datasets.AttackHTTPFlood, datasets.AttackPortScanVertical},
		Seed: 5, Benign: true, Hosts: 4, Scale: 0.1, Duration: 3 * time.Minute}
	if _, err := datasets.WriteCapture(context.Background(), pcap, "", cfg); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	ecfg := DefaultConfig()
	ecfg.Inputs, ecfg.OutDir = []string{pcap}, out
	if _, err := Run(context.Background(), ecfg); err != nil {
		t.Fatal(err)
	}
	for _, name := range TableFiles {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(out, name)
			at := readArrow(t, path)
			defer at.Release()
			f, err := table.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cols := f.Names()
			own, err := f.Read(cols...)
			if err != nil {
				t.Fatal(err)
			}
			if int(at.NumRows()) != own.Rows || own.Rows == 0 {
				t.Fatalf("arrow reads %d rows, flowsift %d", at.NumRows(), own.Rows)
			}
			if int(at.NumCols()) != len(cols) {
				t.Fatalf("arrow reads %d columns, flowsift %d", at.NumCols(), len(cols))
			}
			for i := range int(at.NumCols()) {
				field, col := at.Schema().Field(i), at.Column(i)
				c := own.Column(field.Name)
				if c == nil {
					t.Errorf("arrow column %s unknown to flowsift", field.Name)
					continue
				}
				if ts, ok := field.Type.(*arrow.TimestampType); ok && ts.TimeZone != "UTC" {
					t.Errorf("%s: timestamp zone %q, want UTC", field.Name, ts.TimeZone)
				}
				row := 0
				for _, chunk := range col.Data().Chunks() {
					for j := range chunk.Len() {
						if err := sameValue(chunk, j, c, row); err != nil {
							t.Errorf("%s row %d: %v", field.Name, row, err)
							break
						}
						row++
					}
				}
			}
		})
	}
}

func readArrow(t *testing.T, path string) arrow.Table {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// sameValue compares arrow's element j of a with row i of flowsift's
// column c.
func sameValue(a arrow.Array, j int, c *table.Column, i int) error {
	if a.IsNull(j) != c.IsNull(i) {
		return fmt.Errorf("arrow null %v, flowsift null %v", a.IsNull(j), c.IsNull(i))
	}
	if a.IsNull(j) {
		return nil
	}
	if l, ok := a.(*array.List); ok {
		lo, hi := l.ValueOffsets(j)
		clo, chi := c.Span(i)
		if hi-lo != int64(chi-clo) {
			return fmt.Errorf("arrow list of %d, flowsift %d", hi-lo, chi-clo)
		}
		for k := range hi - lo {
			if got, want := scalar(l.ListValues(), int(lo+k)), elem(c, clo+int(k)); got != want {
				return fmt.Errorf("list element %d: arrow %v, flowsift %v", k, got, want)
			}
		}
		return nil
	}
	if got, want := scalar(a, j), elem(c, i); got != want {
		return fmt.Errorf("arrow %v (%T), flowsift %v", got, a, want)
	}
	return nil
}

// scalar returns arrow's value as int64, float64, bool or string;
// timestamps as nanoseconds.
func scalar(a arrow.Array, j int) any {
	switch v := a.(type) {
	case *array.Int8:
		return int64(v.Value(j))
	case *array.Int16:
		return int64(v.Value(j))
	case *array.Int32:
		return int64(v.Value(j))
	case *array.Int64:
		return v.Value(j)
	case *array.Uint8:
		return int64(v.Value(j))
	case *array.Uint16:
		return int64(v.Value(j))
	case *array.Uint32:
		return int64(v.Value(j))
	case *array.Uint64:
		return int64(v.Value(j))
	case *array.Float32:
		return float64(v.Value(j))
	case *array.Float64:
		return v.Value(j)
	case *array.Boolean:
		return v.Value(j)
	case *array.String:
		return v.Value(j)
	case *array.Binary:
		return string(v.Value(j))
	case *array.Timestamp:
		unit := v.DataType().(*arrow.TimestampType).Unit
		return int64(v.Value(j)) * int64(unit.Multiplier())
	}
	return fmt.Sprintf("unhandled %T", a)
}

func elem(c *table.Column, i int) any {
	switch c.Kind {
	case table.Int64, table.Time:
		return c.Ints[i]
	case table.Float64:
		return c.Floats[i]
	case table.Bool:
		return c.Bools[i]
	case table.String:
		return c.Strs[i]
	}
	return nil
}
