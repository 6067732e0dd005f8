package orgsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// resolvedPath is a field path checked against the object definitions:
// relationship hops, then the final field.
type resolvedPath struct {
	hops  []*sobjectField // reference fields followed, in order
	defs  []*sobjectDef   // object at each level; defs[0] is the queried object
	field *sobjectField
}

// names returns the path with each part spelled as the describe spells it.
func (p *resolvedPath) names() []string {
	out := make([]string, 0, len(p.hops)+1)
	for _, h := range p.hops {
		out = append(out, h.relationship)
	}
	return append(out, p.field.name)
}

func resolvePath(root *sobjectDef, path []string) (*resolvedPath, *soqlError) {
	rp := &resolvedPath{defs: []*sobjectDef{root}}
	def := root
	for i, part := range path {
		if i == len(path)-1 {
			f := def.field(part)
			if f == nil {
				return nil, &soqlError{"INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", part, def.name)}
			}
			rp.field = f
			return rp, nil
		}
		rel := def.relationship(part)
		if rel == nil {
			return nil, &soqlError{"INVALID_FIELD", fmt.Sprintf("Didn't understand relationship '%s' in field path.", part)}
		}
		rp.hops = append(rp.hops, rel)
		def = findSObject(rel.target)
		rp.defs = append(rp.defs, def)
	}
	return rp, nil
}

// queryContext resolves relationship Ids to records during one query.
type queryContext struct {
	state *orgState
	org   *Org
	index map[string]map[string]sobjectRow // object name → 18-char Id → row
}

func (qc *queryContext) lookup(def *sobjectDef, id string) sobjectRow {
	rows, ok := qc.index[def.name]
	if !ok {
		rows = map[string]sobjectRow{}
		for _, row := range def.rows(qc.state, qc.org) {
			rid, _ := row["Id"].(string)
			rows[rid] = row
		}
		qc.index[def.name] = rows
	}
	norm, _ := normalizeID(id)
	return rows[norm]
}

// related follows the relationship hops of p from row. It returns nil when
// a reference on the way is empty.
func (qc *queryContext) related(row sobjectRow, p *resolvedPath, depth int) sobjectRow {
	for i := 0; i < depth; i++ {
		id, _ := row[p.hops[i].name].(string)
		if id == "" {
			return nil
		}
		row = qc.lookup(p.defs[i+1], id)
		if row == nil {
			return nil
		}
	}
	return row
}

func (qc *queryContext) value(row sobjectRow, p *resolvedPath) any {
	target := qc.related(row, p, len(p.hops))
	if target == nil {
		return nil
	}
	return target[p.field.name]
}

// compiledCondition is a WHERE condition with typed operands.
type compiledCondition struct {
	path   *resolvedPath
	op     string
	values []any // nil, string, bool or int
	like   string
}

// compileCondition checks the operand types against the field, as the API
// does before running a query.
func compileCondition(root *sobjectDef, cond soqlCondition) (*compiledCondition, *soqlError) {
	rp, err := resolvePath(root, cond.path)
	if err != nil {
		return nil, err
	}
	cc := &compiledCondition{path: rp, op: cond.op}
	if cond.op == "LIKE" {
		if rp.field.kind != fieldString {
			return nil, &soqlError{"INVALID_QUERY_FILTER_OPERATOR", fmt.Sprintf("invalid operator on %s field: LIKE", kindLabel(rp.field.kind))}
		}
		cc.like = cond.values[0].text
		return cc, nil
	}
	for _, v := range cond.values {
		typed, err := typedOperand(rp.field, v)
		if err != nil {
			return nil, err
		}
		cc.values = append(cc.values, typed)
	}
	return cc, nil
}

func kindLabel(k fieldKind) string {
	switch k {
	case fieldBoolean:
		return "boolean"
	case fieldInt:
		return "integer"
	case fieldID:
		return "id"
	}
	return "string"
}

func typedOperand(f *sobjectField, v soqlValue) (any, *soqlError) {
	if v.kind == tokIdent && v.text == "null" {
		return nil, nil
	}
	mismatch := func(expected string) *soqlError {
		return &soqlError{"INVALID_QUERY_FILTER_OPERATOR",
			fmt.Sprintf("value of filter criterion for field '%s' must be of type %s", f.name, expected)}
	}
	switch f.kind {
	case fieldBoolean:
		if v.kind != tokIdent {
			return nil, mismatch("boolean and should not be enclosed in quotes")
		}
		return v.text == "true", nil
	case fieldInt:
		if v.kind != tokNumber {
			return nil, mismatch("integer and should not be enclosed in quotes")
		}
		n, err := strconv.Atoi(v.text)
		if err != nil {
			return nil, mismatch("integer")
		}
		return n, nil
	}
	if v.kind != tokString {
		return nil, mismatch(kindLabel(f.kind) + " and should be enclosed in quotes")
	}
	if strings.IndexByte(v.text, likeEscape) >= 0 {
		return nil, malformed("the escape sequences \\_ and \\%% are allowed only in LIKE patterns")
	}
	if f.kind == fieldID {
		id, ok := normalizeID(v.text)
		if !ok {
			return nil, &soqlError{"INVALID_QUERY_FILTER_OPERATOR", fmt.Sprintf("invalid ID field: %s", v.text)}
		}
		return id, nil
	}
	return v.text, nil
}

func (cc *compiledCondition) matches(qc *queryContext, row sobjectRow) bool {
	got := qc.value(row, cc.path)
	switch cc.op {
	case "=":
		return valuesEqual(got, cc.values[0])
	case "!=":
		return !valuesEqual(got, cc.values[0])
	case "IN", "NOT IN":
		found := false
		for _, v := range cc.values {
			if v != nil && valuesEqual(got, v) {
				found = true
			}
		}
		return found == (cc.op == "IN")
	case "LIKE":
		s, ok := got.(string)
		return ok && likeMatch(strings.ToLower(cc.like), strings.ToLower(s))
	}
	return false
}

// valuesEqual compares a field value with an operand. Text comparisons
// ignore case, as SOQL's do; Id operands are already in 18-character form.
func valuesEqual(got, want any) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	switch w := want.(type) {
	case string:
		g, ok := got.(string)
		if !ok {
			return false
		}
		if id, isID := normalizeID(g); isID && len(w) == 18 {
			if _, wantIsID := normalizeID(w); wantIsID {
				return id == w
			}
		}
		return strings.EqualFold(g, w)
	default:
		return got == want
	}
}

// likeMatch matches s against a SOQL LIKE pattern, where % is any run of
// characters, _ one character, and likeEscape marks a literal % or _.
func likeMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch c := pattern[0]; c {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(pattern[1:], s[1:])
	case likeEscape:
		return len(pattern) > 1 && s != "" && s[0] == pattern[1] && likeMatch(pattern[2:], s[1:])
	default:
		return s != "" && s[0] == c && likeMatch(pattern[1:], s[1:])
	}
}

// runQuery evaluates a parsed query and returns its records rendered as
// JSON objects for the given API version string, such as "63.0".
func (o *Org) runQuery(q *soqlQuery, version string) ([]json.RawMessage, *soqlError) {
	root := findSObject(q.object)
	if root == nil {
		return nil, &soqlError{"INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported.", q.object)}
	}
	var selected []*resolvedPath
	seen := map[string]bool{}
	for _, path := range q.fields {
		rp, err := resolvePath(root, path)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(strings.Join(rp.names(), "."))
		if seen[key] {
			return nil, malformed("duplicate field selected: %s", strings.Join(path, "."))
		}
		seen[key] = true
		selected = append(selected, rp)
	}
	var conds []*compiledCondition
	for _, c := range q.conditions {
		cc, err := compileCondition(root, c)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cc)
	}
	var orders []*resolvedPath
	for _, ob := range q.orderBy {
		rp, err := resolvePath(root, ob.path)
		if err != nil {
			return nil, err
		}
		orders = append(orders, rp)
	}

	qc := &queryContext{state: o.state, org: o, index: map[string]map[string]sobjectRow{}}
	var rows []sobjectRow
	for _, row := range root.rows(o.state, o) {
		keep := true
		for _, cc := range conds {
			if !cc.matches(qc, row) {
				keep = false
				break
			}
		}
		if keep {
			rows = append(rows, row)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for k, rp := range orders {
			c := compareValues(qc.value(rows[i], rp), qc.value(rows[j], rp), q.orderBy[k].nullsLast)
			if q.orderBy[k].descending {
				c = -c
				// Null placement does not flip with DESC.
				if qc.value(rows[i], rp) == nil || qc.value(rows[j], rp) == nil {
					c = -c
				}
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	if q.limit >= 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	out := make([]json.RawMessage, 0, len(rows))
	for _, row := range rows {
		out = append(out, qc.renderRecord(root, row, selected, version))
	}
	return out, nil
}

// compareValues orders two field values; nulls go first unless nullsLast.
func compareValues(a, b any, nullsLast bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsLast {
			return 1
		}
		return -1
	case b == nil:
		if nullsLast {
			return -1
		}
		return 1
	}
	switch av := a.(type) {
	case string:
		bv, _ := b.(string)
		return strings.Compare(strings.ToLower(av), strings.ToLower(bv))
	case bool:
		bv, _ := b.(bool)
		switch {
		case av == bv:
			return 0
		case !av:
			return -1
		}
		return 1
	case int:
		bv, _ := b.(int)
		return av - bv
	}
	return 0
}

// recordAttributes is the "attributes" member of a REST record.
func recordAttributes(def *sobjectDef, id, version string) orderedObject {
	return orderedObject{
		{"type", def.name},
		{"url", "/services/data/v" + version + "/sobjects/" + def.name + "/" + id},
	}
}

// renderRecord writes the selected fields of row in selection order. Fields
// reached through a relationship nest under the relationship name, placed
// where the first of its fields was selected. An empty reference renders as
// null.
func (qc *queryContext) renderRecord(def *sobjectDef, row sobjectRow, paths []*resolvedPath, version string) json.RawMessage {
	obj := qc.buildObject(def, row, paths, 0, version)
	raw, _ := json.Marshal(obj)
	return raw
}

func (qc *queryContext) buildObject(def *sobjectDef, row sobjectRow, paths []*resolvedPath, depth int, version string) orderedObject {
	id, _ := row["Id"].(string)
	obj := orderedObject{{"attributes", recordAttributes(def, id, version)}}
	done := map[string]bool{}
	for _, p := range paths {
		if len(p.hops) == depth {
			obj = append(obj, member{p.field.name, row[p.field.name]})
			continue
		}
		rel := p.hops[depth]
		if done[rel.relationship] {
			continue
		}
		done[rel.relationship] = true
		var sub []*resolvedPath
		for _, other := range paths {
			if len(other.hops) > depth && other.hops[depth] == rel {
				sub = append(sub, other)
			}
		}
		relID, _ := row[rel.name].(string)
		target := findSObject(rel.target)
		var related sobjectRow
		if relID != "" {
			related = qc.lookup(target, relID)
		}
		if related == nil {
			obj = append(obj, member{rel.relationship, nil})
			continue
		}
		obj = append(obj, member{rel.relationship, qc.buildObject(target, related, sub, depth+1, version)})
	}
	return obj
}

// member is one name/value pair of an orderedObject.
type member struct {
	name  string
	value any
}

// orderedObject is a JSON object that keeps its members in order.
type orderedObject []member

func (obj orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range obj {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := json.Marshal(m.name)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
