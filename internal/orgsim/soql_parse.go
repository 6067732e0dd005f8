package orgsim

import (
	"fmt"
	"strconv"
	"strings"
)

// The SOQL subset the org runs:
//
//	SELECT path {, path} FROM object
//	  [WHERE condition {AND condition}]
//	  [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST] {, ...}]
//	  [LIMIT n]
//
// where a path is Field or Relationship.Field (nested), and a condition is
// path = value, path != value, path <> value, path IN (value, ...),
// path NOT IN (value, ...) or path LIKE 'pattern'. A value is a quoted
// string, null, true, false or an integer. Everything else is rejected with
// MALFORMED_QUERY rather than evaluated wrongly.

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokComma
	tokDot
	tokLParen
	tokRParen
	tokOperator
)

type soqlToken struct {
	kind tokenKind
	text string // identifier, operator or number as written; string value unescaped
	raw  string // the token as written, for error messages
	pos  int
}

// soqlError is a query the REST API rejects with HTTP 400.
type soqlError struct {
	code    string
	message string
}

func (e *soqlError) Error() string { return e.code + ": " + e.message }

func malformed(format string, args ...any) *soqlError {
	return &soqlError{"MALFORMED_QUERY", fmt.Sprintf(format, args...)}
}

// lexSOQL splits a query into tokens and unescapes string literals.
func lexSOQL(q string) ([]soqlToken, *soqlError) {
	var toks []soqlToken
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ',':
			toks = append(toks, soqlToken{kind: tokComma, text: ",", raw: ",", pos: i})
			i++
		case c == '.':
			toks = append(toks, soqlToken{kind: tokDot, text: ".", raw: ".", pos: i})
			i++
		case c == '(':
			toks = append(toks, soqlToken{kind: tokLParen, text: "(", raw: "(", pos: i})
			i++
		case c == ')':
			toks = append(toks, soqlToken{kind: tokRParen, text: ")", raw: ")", pos: i})
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			j := i + 1
			if j < len(q) && (q[j] == '=' || (c == '<' && q[j] == '>')) {
				j++
			}
			op := q[i:j]
			if op == "!" {
				return nil, malformed("unexpected token: '!'")
			}
			toks = append(toks, soqlToken{kind: tokOperator, text: op, raw: op, pos: i})
			i = j
		case c == '\'':
			value, end, err := unescapeSOQLString(q, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, soqlToken{kind: tokString, text: value, raw: q[i:end], pos: i})
			i = end
		case c >= '0' && c <= '9' || c == '-':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if q[i:j] == "-" {
				return nil, malformed("unexpected token: '-'")
			}
			toks = append(toks, soqlToken{kind: tokNumber, text: q[i:j], raw: q[i:j], pos: i})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(q) && (isIdentStart(q[j]) || (q[j] >= '0' && q[j] <= '9')) {
				j++
			}
			toks = append(toks, soqlToken{kind: tokIdent, text: q[i:j], raw: q[i:j], pos: i})
			i = j
		default:
			return nil, malformed("unexpected token: '%c'", c)
		}
	}
	return append(toks, soqlToken{kind: tokEOF, raw: "<EOF>", pos: len(q)}), nil
}

// likeEscape marks an escaped LIKE wildcard inside an unescaped string
// literal. Query text may not contain it.
const likeEscape = 0

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

// unescapeSOQLString reads the quoted literal that starts at q[start]. The
// escapes are those of the SOQL reference: \n \r \t \b \f (either case),
// \" \' \\, and \_ \% which become likeEscape followed by the character so
// that LIKE can tell them from wildcards. Any other backslash is an error.
func unescapeSOQLString(q string, start int) (string, int, *soqlError) {
	var b strings.Builder
	for i := start + 1; i < len(q); i++ {
		c := q[i]
		if c == '\'' {
			return b.String(), i + 1, nil
		}
		if c == likeEscape {
			return "", 0, malformed("Invalid string literal: NUL characters are not allowed")
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(q) {
			break
		}
		switch q[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case 'r', 'R':
			b.WriteByte('\r')
		case 't', 'T':
			b.WriteByte('\t')
		case 'b', 'B':
			b.WriteByte('\b')
		case 'f', 'F':
			b.WriteByte('\f')
		case '"', '\'', '\\':
			b.WriteByte(q[i])
		case '_', '%':
			b.WriteByte(likeEscape)
			b.WriteByte(q[i])
		default:
			return "", 0, malformed("Invalid string literal '%s'. Illegal character sequence '\\%c' in string literal.", q[start:min(len(q), i+1)], q[i])
		}
	}
	return "", 0, malformed("unexpected token: <EOF>: the string literal at position %d is not closed", start)
}

// soqlQuery is a parsed query.
type soqlQuery struct {
	fields     [][]string
	object     string
	conditions []soqlCondition
	orderBy    []soqlOrder
	limit      int // -1 when absent
}

type soqlValue struct {
	kind tokenKind // tokString, tokNumber, or tokIdent for null/true/false
	text string
}

type soqlCondition struct {
	path   []string
	op     string // "=", "!=", "IN", "NOT IN", "LIKE"
	values []soqlValue
}

type soqlOrder struct {
	path       []string
	descending bool
	nullsLast  bool
}

type soqlParser struct {
	toks []soqlToken
	pos  int
}

func (p *soqlParser) peek() soqlToken { return p.toks[p.pos] }

func (p *soqlParser) next() soqlToken {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *soqlParser) isKeyword(word string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, word)
}

func (p *soqlParser) expectKeyword(word string) *soqlError {
	if !p.isKeyword(word) {
		return unexpected(p.peek())
	}
	p.next()
	return nil
}

func unexpected(t soqlToken) *soqlError {
	return malformed("unexpected token: '%s'", t.raw)
}

// reservedWords may not be used as field or object names in the subset.
var reservedWords = map[string]bool{
	"select": true, "from": true, "where": true, "and": true, "or": true, "not": true,
	"order": true, "by": true, "limit": true, "offset": true, "in": true, "like": true,
	"null": true, "true": true, "false": true, "asc": true, "desc": true, "nulls": true,
	"group": true, "having": true, "with": true, "for": true, "using": true, "includes": true, "excludes": true,
}

// parseSOQL parses the subset described at the top of this file.
func parseSOQL(q string) (*soqlQuery, *soqlError) {
	toks, err := lexSOQL(q)
	if err != nil {
		return nil, err
	}
	p := &soqlParser{toks: toks}
	query := &soqlQuery{limit: -1}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	for {
		path, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		query.fields = append(query.fields, path)
		if p.peek().kind != tokComma {
			break
		}
		p.next()
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	obj := p.next()
	if obj.kind != tokIdent || reservedWords[strings.ToLower(obj.text)] {
		return nil, unexpected(obj)
	}
	query.object = obj.text

	if p.isKeyword("WHERE") {
		p.next()
		for {
			cond, err := p.parseCondition()
			if err != nil {
				return nil, err
			}
			query.conditions = append(query.conditions, cond)
			if !p.isKeyword("AND") {
				break
			}
			p.next()
		}
	}
	if p.isKeyword("ORDER") {
		p.next()
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		for {
			order, err := p.parseOrder()
			if err != nil {
				return nil, err
			}
			query.orderBy = append(query.orderBy, order)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if p.isKeyword("LIMIT") {
		p.next()
		n := p.next()
		if n.kind != tokNumber || strings.HasPrefix(n.text, "-") {
			return nil, unexpected(n)
		}
		limit, convErr := strconv.Atoi(n.text)
		if convErr != nil {
			return nil, unexpected(n)
		}
		query.limit = limit
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, unexpected(t)
	}
	return query, nil
}

func (p *soqlParser) parsePath() ([]string, *soqlError) {
	var path []string
	for {
		t := p.next()
		if t.kind != tokIdent || reservedWords[strings.ToLower(t.text)] {
			return nil, unexpected(t)
		}
		path = append(path, t.text)
		if p.peek().kind != tokDot {
			return path, nil
		}
		p.next()
	}
}

func (p *soqlParser) parseCondition() (soqlCondition, *soqlError) {
	if p.peek().kind == tokLParen || p.isKeyword("NOT") {
		return soqlCondition{}, unexpected(p.peek())
	}
	path, err := p.parsePath()
	if err != nil {
		return soqlCondition{}, err
	}
	cond := soqlCondition{path: path}
	switch t := p.next(); {
	case t.kind == tokOperator && (t.text == "=" || t.text == "!=" || t.text == "<>"):
		cond.op = t.text
		if cond.op == "<>" {
			cond.op = "!="
		}
		v, err := p.parseValue()
		if err != nil {
			return cond, err
		}
		cond.values = []soqlValue{v}
	case t.kind == tokIdent && strings.EqualFold(t.text, "LIKE"):
		cond.op = "LIKE"
		v := p.next()
		if v.kind != tokString {
			return cond, unexpected(v)
		}
		cond.values = []soqlValue{{kind: tokString, text: v.text}}
	case t.kind == tokIdent && strings.EqualFold(t.text, "IN"):
		cond.op = "IN"
		values, err := p.parseValueList()
		if err != nil {
			return cond, err
		}
		cond.values = values
	case t.kind == tokIdent && strings.EqualFold(t.text, "NOT") && p.isKeyword("IN"):
		p.next()
		cond.op = "NOT IN"
		values, err := p.parseValueList()
		if err != nil {
			return cond, err
		}
		cond.values = values
	default:
		return cond, unexpected(t)
	}
	if p.isKeyword("OR") {
		return cond, malformed("unexpected token: '%s': the simulated org supports only AND between conditions", p.peek().raw)
	}
	return cond, nil
}

func (p *soqlParser) parseValue() (soqlValue, *soqlError) {
	t := p.next()
	switch t.kind {
	case tokString, tokNumber:
		return soqlValue{kind: t.kind, text: t.text}, nil
	case tokIdent:
		switch word := strings.ToLower(t.text); word {
		case "null", "true", "false":
			return soqlValue{kind: tokIdent, text: word}, nil
		}
	}
	return soqlValue{}, unexpected(t)
}

func (p *soqlParser) parseValueList() ([]soqlValue, *soqlError) {
	if t := p.next(); t.kind != tokLParen {
		return nil, unexpected(t)
	}
	var values []soqlValue
	for {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		t := p.next()
		if t.kind == tokRParen {
			return values, nil
		}
		if t.kind != tokComma {
			return nil, unexpected(t)
		}
	}
}

func (p *soqlParser) parseOrder() (soqlOrder, *soqlError) {
	path, err := p.parsePath()
	if err != nil {
		return soqlOrder{}, err
	}
	order := soqlOrder{path: path}
	if p.isKeyword("ASC") {
		p.next()
	} else if p.isKeyword("DESC") {
		p.next()
		order.descending = true
	}
	order.nullsLast = order.descending
	if p.isKeyword("NULLS") {
		p.next()
		switch {
		case p.isKeyword("FIRST"):
			order.nullsLast = false
		case p.isKeyword("LAST"):
			order.nullsLast = true
		default:
			return order, unexpected(p.peek())
		}
		p.next()
	}
	return order, nil
}
