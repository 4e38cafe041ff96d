package sigma

import (
	"bytes"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format renders a parsed rule or correlation as YAML that parses back to
// an equal document (positions aside). Strings are always quoted, so their
// type survives; numbers and booleans keep the text they were written
// with.
func Format(d *Document) ([]byte, error) {
	var root *yaml.Node
	switch {
	case d.Rule != nil:
		root = formatRule(d.Rule)
	case d.Correlation != nil:
		root = formatCorrelation(d.Correlation)
	default:
		return nil, nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func keyNode(s string) *yaml.Node {
	n := strNode(s)
	n.Style = yaml.DoubleQuotedStyle
	return n
}

func mapNode(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Content: kv}
}

func seqNode(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func strSeq(ss []string) *yaml.Node {
	n := seqNode()
	for _, s := range ss {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

func valueNode(v Value) *yaml.Node {
	switch v.Kind {
	case KindString:
		return strNode(v.Raw)
	case KindNull:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	// Numbers and booleans as written: the YAML 1.1 resolver reads the same
	// text back as the same type.
	return &yaml.Node{Kind: yaml.ScalarNode, Value: v.Raw}
}

func addMeta(n *yaml.Node, m *Meta) {
	add := func(k, v string) {
		if v != "" {
			n.Content = append(n.Content, keyNode(k), strNode(v))
		}
	}
	addList := func(k string, v []string) {
		if v != nil {
			n.Content = append(n.Content, keyNode(k), strSeq(v))
		}
	}
	add("title", m.Title)
	add("id", m.ID)
	add("name", m.Name)
	add("status", m.Status)
	add("description", m.Description)
	add("author", m.Author)
	add("license", m.License)
	add("date", m.Date)
	add("modified", m.Modified)
	addList("references", m.References)
	addList("falsepositives", m.FalsePositives)
	addList("tags", m.Tags)
	add("level", m.Level)
}

func formatRule(r *Rule) *yaml.Node {
	n := mapNode()
	addMeta(n, &r.Meta)
	ls := mapNode()
	for _, kv := range [][2]string{{"category", r.Logsource.Category}, {"product", r.Logsource.Product}, {"service", r.Logsource.Service}, {"definition", r.Logsource.Definition}} {
		if kv[1] != "" {
			ls.Content = append(ls.Content, keyNode(kv[0]), strNode(kv[1]))
		}
	}
	n.Content = append(n.Content, keyNode("logsource"), ls)
	det := mapNode()
	for _, s := range r.Detection.Searches {
		det.Content = append(det.Content, keyNode(s.Name), formatSearch(s))
	}
	if r.Detection.Timeframe != "" {
		det.Content = append(det.Content, keyNode("timeframe"), strNode(r.Detection.Timeframe))
	}
	if len(r.Detection.Conditions) == 1 {
		det.Content = append(det.Content, keyNode("condition"), strNode(r.Detection.Conditions[0].Text))
	} else {
		seq := seqNode()
		for _, c := range r.Detection.Conditions {
			seq.Content = append(seq.Content, strNode(c.Text))
		}
		det.Content = append(det.Content, keyNode("condition"), seq)
	}
	n.Content = append(n.Content, keyNode("detection"), det)
	return n
}

func isKeywordGroup(g *Group) bool {
	return len(g.Items) == 1 && g.Items[0].Field == "" && len(g.Items[0].Modifiers) == 0
}

func formatItemMap(g *Group) *yaml.Node {
	m := mapNode()
	for _, it := range g.Items {
		var v *yaml.Node
		if len(it.Values) == 1 {
			v = valueNode(it.Values[0])
		} else {
			v = seqNode()
			for _, x := range it.Values {
				v.Content = append(v.Content, valueNode(x))
			}
		}
		m.Content = append(m.Content, keyNode(it.Key()), v)
	}
	return m
}

func formatSearch(s *Search) *yaml.Node {
	if len(s.Groups) == 1 && !isKeywordGroup(s.Groups[0]) {
		return formatItemMap(s.Groups[0])
	}
	seq := seqNode()
	for _, g := range s.Groups {
		if isKeywordGroup(g) {
			for _, v := range g.Items[0].Values {
				seq.Content = append(seq.Content, valueNode(v))
			}
			continue
		}
		seq.Content = append(seq.Content, formatItemMap(g))
	}
	return seq
}

func formatCorrelation(c *Correlation) *yaml.Node {
	n := mapNode()
	addMeta(n, &c.Meta)
	if c.Generate {
		n.Content = append(n.Content, keyNode("generate"), &yaml.Node{Kind: yaml.ScalarNode, Value: "true"})
	}
	body := mapNode(keyNode("type"), strNode(c.Type), keyNode("rules"), strSeq(c.Rules))
	if c.GroupBy != nil {
		body.Content = append(body.Content, keyNode("group-by"), strSeq(c.GroupBy))
	}
	body.Content = append(body.Content, keyNode("timespan"), strNode(c.TimespanText))
	cond := mapNode()
	for _, cc := range c.Conds {
		cond.Content = append(cond.Content, keyNode(cc.Op), &yaml.Node{Kind: yaml.ScalarNode, Value: formatFloat(cc.Value)})
	}
	if c.Field != nil {
		cond.Content = append(cond.Content, keyNode("field"), strSeq(c.Field))
	}
	if c.Percentile != 0 {
		cond.Content = append(cond.Content, keyNode("percentile"), &yaml.Node{Kind: yaml.ScalarNode, Value: formatFloat(c.Percentile)})
	}
	body.Content = append(body.Content, keyNode("condition"), cond)
	if c.Aliases != nil {
		al := mapNode()
		for _, name := range sortedAliasKeys(c.Aliases) {
			inner := mapNode()
			for _, r := range sortedAliasKeys2(c.Aliases[name]) {
				inner.Content = append(inner.Content, keyNode(r), strNode(c.Aliases[name][r]))
			}
			al.Content = append(al.Content, keyNode(name), inner)
		}
		body.Content = append(body.Content, keyNode("aliases"), al)
	}
	n.Content = append(n.Content, keyNode("correlation"), body)
	return n
}

func formatFloat(f float64) string {
	v := Value{Kind: KindNumber, Float: f}
	if f == float64(int64(f)) {
		v.Int, v.IsInt = int64(f), true
	}
	s := v.Text()
	if !strings.ContainsAny(s, ".") && !v.IsInt {
		s += ".0"
	}
	return s
}

func sortedAliasKeys(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedAliasKeys2(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
