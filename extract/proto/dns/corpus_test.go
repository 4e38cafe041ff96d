package dns

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"flowsift/extract/proto/internal/pcaptest"
)

// refFile holds TShark's view of the corpus DNS messages, recorded by
// testdata/proto/refgen.sh.
const refFile = "../../../testdata/proto/dns/tshark.tsv"

// printable reports whether TShark shows s as we do, so names can be
// compared: TShark escapes non-printable bytes its own way.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == '\\' {
			return false
		}
	}
	return true
}

// compareDNS returns the first field where our parse differs from TShark's.
func compareDNS(m *Message, r map[string]string) string {
	id, _ := strconv.ParseUint(strings.TrimPrefix(r["id"], "0x"), 16, 16)
	if uint16(id) != m.ID {
		return fmt.Sprintf("id %d, TShark %d", m.ID, id)
	}
	if (r["response"] == "1") != m.QR {
		return "QR"
	}
	if name := r["query"]; name != "" && !strings.Contains(name, ",") {
		if name == "<Root>" {
			name = ""
		}
		if printable(name) && strings.ToLower(name) != string(m.Query) {
			return fmt.Sprintf("query %q, TShark %q", m.Query, name)
		}
		if qt, err := strconv.Atoi(r["qtype"]); err == nil && uint16(qt) != m.QType {
			return fmt.Sprintf("qtype %d, TShark %d", m.QType, qt)
		}
	}
	if rc, err := strconv.Atoi(r["rcode"]); err == nil && m.QR && uint8(rc) != m.Rcode {
		return fmt.Sprintf("rcode %d, TShark %d", m.Rcode, rc)
	}
	if !m.QR {
		return ""
	}
	an, _ := strconv.Atoi(r["ancount"])
	types := splitList(r["types"])
	ttls := splitList(r["ttls"])
	values := map[string][]string{"1": splitList(r["a"]), "28": splitList(r["aaaa"]), "5": splitList(r["cname"])}
	if len(m.Answers) != min(an, len(types)) {
		return fmt.Sprintf("%d answers, TShark %d", len(m.Answers), min(an, len(types)))
	}
	for i, a := range m.Answers {
		if strconv.Itoa(int(a.Type)) != types[i] {
			return fmt.Sprintf("answer %d type %d, TShark %s", i, a.Type, types[i])
		}
		if i < len(ttls) && strconv.FormatUint(uint64(a.TTL), 10) != ttls[i] {
			return fmt.Sprintf("answer %d TTL %d, TShark %s", i, a.TTL, ttls[i])
		}
		if vs := values[types[i]]; len(vs) > 0 {
			want := vs[0]
			values[types[i]] = vs[1:]
			if printable(want) && strings.ToLower(want) != string(a.Text) {
				return fmt.Sprintf("answer %d %q, TShark %q", i, a.Text, want)
			}
		}
	}
	return ""
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func TestCorpusAgainstTShark(t *testing.T) {
	dir := pcaptest.Dir(t, "ndpi")
	rows := pcaptest.ReadTSV(t, refFile)
	byFile := map[string][]map[string]string{}
	for _, r := range rows {
		byFile[r["file"]] = append(byFile[r["file"]], r)
	}
	compared, matched := 0, 0
	reasons := map[string]int{}
	for _, file := range slices.Sorted(maps.Keys(byFile)) {
		frames := map[int64][]byte{}
		for _, d := range pcaptest.Datagrams(t, filepath.Join(dir, file)) {
			frames[d.Number] = d.Payload
		}
		fragments := pcaptest.Fragments(t, filepath.Join(dir, file))
		for _, r := range byFile[file] {
			compared++
			id := file + " " + r["frame"]
			frame, _ := strconv.ParseInt(r["frame"], 10, 64)
			payload, ok := frames[frame]
			switch {
			case !ok && fragments[frame]:
				// TShark reassembles IP fragments into the frame of the
				// last fragment; flowsift's decoder leaves fragments to the
				// flow table, so the harness has no datagram here.
				reasons["ip-fragments (TShark reassembled the datagram; the decoder hands out fragments)"]++
				continue
			case !ok:
				t.Errorf("%s: no datagram in the harness", id)
				continue
			}
			var m Message
			err := Parse(payload, &m)
			diff := compareDNS(&m, r)
			if diff == "" {
				matched++
			} else {
				t.Errorf("%s: %s (Parse error %v)", id, diff, err)
			}
		}
	}
	t.Logf("DNS: %d messages in TShark's reference, %d identical to ours, the rest explained:", compared, matched)
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		t.Logf("  %4d %s", reasons[r], r)
	}
}
