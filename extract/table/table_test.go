package table

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go"
)

// row covers the column shapes the extract tables use: required and
// optional integers of several widths, floats, booleans, dictionary and
// plain strings, timestamps and lists of strings.
type row struct {
	I64   int64    `parquet:"i64"`
	U16   uint16   `parquet:"u16"`
	OptI  *int32   `parquet:"opt_i,optional"`
	F64   float64  `parquet:"f64"`
	OptF  *float32 `parquet:"opt_f,optional"`
	B     bool     `parquet:"b"`
	OptB  *bool    `parquet:"opt_b,optional"`
	Dict  string   `parquet:"dict,dict"`
	OptS  *string  `parquet:"opt_s,optional,dict"`
	Plain string   `parquet:"plain"`
	TS    int64    `parquet:"ts,timestamp(microsecond)"`
	List  []string `parquet:"list,list"`
}

// rows makes n rows whose values depend on i; every few rows a value is
// null, and lists vary from empty to three elements.
func rows(n int) []row {
	out := make([]row, n)
	for i := range out {
		r := row{
			I64: int64(i) * -7, U16: uint16(i), F64: float64(i) / 4, B: i%3 == 0,
			Dict: []string{"tcp", "udp", "icmp"}[i%3], Plain: fmt.Sprintf("C%07d", i),
			TS: int64(i) * 1500, List: []string{"a", "bb", "ccc"}[:i%4],
		}
		if i%5 != 0 {
			v, f, b, s := int32(i*3), float32(i)/2, i%2 == 0, fmt.Sprintf("h%d", i%7)
			r.OptI, r.OptF, r.OptB, r.OptS = &v, &f, &b, &s
		}
		out[i] = r
	}
	return out
}

// want builds the columns Read must return for rs.
func want(rs []row) map[string]*Column {
	cols := map[string]*Column{
		"i64": {Kind: Int64}, "u16": {Kind: Int64}, "opt_i": {Kind: Int64}, "f64": {Kind: Float64},
		"opt_f": {Kind: Float64}, "b": {Kind: Bool}, "opt_b": {Kind: Bool}, "dict": {Kind: String},
		"opt_s": {Kind: String}, "plain": {Kind: String}, "ts": {Kind: Time}, "list": {Kind: String, List: true, Offsets: []int32{0}},
	}
	for name, c := range cols {
		c.Name = name
	}
	nulls := func(c *Column, null bool) {
		if c.Null == nil && null {
			c.Null = make([]bool, c.rows)
		}
		if c.Null != nil {
			c.Null = append(c.Null, null)
		}
		c.rows++
	}
	for _, r := range rs {
		for _, name := range []string{"i64", "u16", "f64", "b", "dict", "plain", "ts", "list"} {
			cols[name].rows++
		}
		cols["i64"].Ints = append(cols["i64"].Ints, r.I64)
		cols["u16"].Ints = append(cols["u16"].Ints, int64(r.U16))
		cols["f64"].Floats = append(cols["f64"].Floats, r.F64)
		cols["b"].Bools = append(cols["b"].Bools, r.B)
		cols["dict"].Strs = append(cols["dict"].Strs, r.Dict)
		cols["plain"].Strs = append(cols["plain"].Strs, r.Plain)
		cols["ts"].Ints = append(cols["ts"].Ints, r.TS*1000)
		l := cols["list"]
		l.Strs = append(l.Strs, r.List...)
		l.Offsets = append(l.Offsets, l.Offsets[len(l.Offsets)-1]+int32(len(r.List)))
		null := r.OptI == nil
		var v int32
		var f float32
		var b bool
		var s string
		if !null {
			v, f, b, s = *r.OptI, *r.OptF, *r.OptB, *r.OptS
		}
		cols["opt_i"].Ints = append(cols["opt_i"].Ints, int64(v))
		cols["opt_f"].Floats = append(cols["opt_f"].Floats, float64(f))
		cols["opt_b"].Bools = append(cols["opt_b"].Bools, b)
		cols["opt_s"].Strs = append(cols["opt_s"].Strs, s)
		for _, name := range []string{"opt_i", "opt_f", "opt_b", "opt_s"} {
			nulls(cols[name], null)
		}
	}
	return cols
}

func writeFile(t testing.TB, rs []row, rowGroup int, opts ...parquet.WriterOption) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[row](f, append(opts, parquet.PageBufferSize(4<<10))...)
	for len(rs) > 0 {
		n := min(rowGroup, len(rs))
		if _, err := w.Write(rs[:n]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rs = rs[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var names = []string{"i64", "u16", "opt_i", "f64", "opt_f", "b", "opt_b", "dict", "opt_s", "plain", "ts", "list"}

var columnCmp = cmp.Options{
	cmp.AllowUnexported(Column{}),
	cmpopts.IgnoreFields(Column{}, "strs", "dict", "dictStrs"),
	cmpopts.EquateEmpty(),
}

// TestRead reads files written with several row-group and page sizes and
// compressions, so that the typed page path, the dictionary path and the
// generic value path all run, and compares every column.
func TestRead(t *testing.T) {
	rs := rows(5000)
	tests := []struct {
		name     string
		rowGroup int
		opts     []parquet.WriterOption
	}{
		{"one row group", 5000, nil},
		{"many row groups", 777, nil},
		{"zstd", 2000, []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(writeFile(t, rs, tt.rowGroup, tt.opts...))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tb, err := f.Read(names...)
			if err != nil {
				t.Fatal(err)
			}
			if tb.Rows != len(rs) || f.Rows() != int64(len(rs)) {
				t.Fatalf("%d rows (file %d), want %d", tb.Rows, f.Rows(), len(rs))
			}
			exp := want(rs)
			for _, n := range names {
				if diff := cmp.Diff(exp[n], tb.Column(n), columnCmp); diff != "" {
					t.Errorf("column %s (-want, +got):\n%s", n, diff)
				}
			}
			// Batches: one table per row group, together the same rows.
			var got []int64
			batches := 0
			for b, err := range f.Batches("i64", "list") {
				if err != nil {
					t.Fatal(err)
				}
				batches++
				got = append(got, b.Column("i64").Ints...)
				if b.Column("list").Len() != b.Rows {
					t.Errorf("batch list column has %d rows, batch %d", b.Column("list").Len(), b.Rows)
				}
			}
			if diff := cmp.Diff(exp["i64"].Ints, got); diff != "" {
				t.Errorf("batched i64 (-want, +got):\n%s", diff)
			}
			if want := (len(rs) + tt.rowGroup - 1) / tt.rowGroup; batches != want {
				t.Errorf("%d batches, want %d", batches, want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	f, err := Open(writeFile(t, rows(10), 10))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Read("nope"); !errors.Is(err, ErrNoColumn) {
		t.Errorf("Read(nope) = %v, want ErrNoColumn", err)
	}
	if f.Has("nope") || !f.Has("list") {
		t.Error("Has is wrong")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.parquet")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.parquet")
	if err := os.WriteFile(bad, []byte("not parquet at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad); err == nil {
		t.Error("Open accepted a text file")
	}
}

// TestStringStore checks interning and block-backed copies: equal bytes
// give equal strings, and a string survives later writes to its source.
func TestStringStore(t *testing.T) {
	var s stringStore
	src := []byte("hello")
	a := s.get(src)
	copy(src, "HELLO")
	if a != "hello" || s.get([]byte("hello")) != "hello" {
		t.Errorf("store returned %q", a)
	}
	long := make([]byte, blockSize)
	if got := s.get(long); len(got) != blockSize {
		t.Errorf("long value has %d bytes", len(got))
	}
	for i := range internLimit + 10 {
		v := fmt.Sprint(i)
		if got := s.get([]byte(v)); got != v {
			t.Fatalf("get(%q) = %q", v, got)
		}
	}
	if len(s.interned) > internLimit {
		t.Errorf("%d interned values, limit %d", len(s.interned), internLimit)
	}
}

func BenchmarkRead(b *testing.B) {
	path := writeFile(b, rows(200000), 50000, parquet.Compression(&parquet.Zstd))
	f, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Read(names...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(200000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
