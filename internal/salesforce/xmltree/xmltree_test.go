package xmltree

import (
	"bytes"
	"strings"
	"testing"

	"github.com/connectedapps/terraform-provider-salesforce/internal/testcorpus"
)

func TestRoundTripCorpus(t *testing.T) {
	for _, f := range testcorpus.Files(t) {
		t.Run(f.Name, func(t *testing.T) {
			first, err := ParseBytes(f.Data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var buf bytes.Buffer
			if err := first.Encode(&buf, EncodeOptions{Namespace: "http://soap.sforce.com/2006/04/metadata"}); err != nil {
				t.Fatal(err)
			}
			second, err := ParseBytes(buf.Bytes())
			if err != nil {
				t.Fatalf("parse of encoded tree: %v\n%s", err, buf.String())
			}
			if !Equal(first, second) {
				t.Errorf("tree changed in a round trip:\n%s\n%s", first, second)
			}
		})
	}
}

func TestEncodeEscaping(t *testing.T) {
	el := &Element{Name: "a", Children: []*Element{
		NewText("url", "https://x/?a=1&b='2'\"<>"),
		NewText("cb", "one\r\ntwo"),
		{Name: "email", Nil: true},
	}}
	var buf bytes.Buffer
	if err := el.Encode(&buf, EncodeOptions{Namespace: "urn:x"}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		`<url>https://x/?a=1&amp;b=&apos;2&apos;&quot;&lt;&gt;</url>`,
		"<cb>one&#13;\ntwo</cb>",
		`<email xsi:nil="true"/>`,
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("encoded %s\nmissing %s", got, want)
		}
	}
	back, err := ParseBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := back.ChildText("cb"); text != "one\r\ntwo" {
		t.Errorf("carriage return lost: %q", text)
	}
	if !back.Child("email").Nil {
		t.Error("xsi:nil lost")
	}
}

func TestParseKeepsUnknownAndIgnoresTrailingText(t *testing.T) {
	doc := `<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><label>L</label><futureElement><x>1</x></futureElement></ConnectedApp>
// trailing text`
	el, err := ParseBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if el.Child("futureElement").Child("x").Text != "1" {
		t.Errorf("unknown element lost: %s", el)
	}
}

func TestParseRejectsMixedContent(t *testing.T) {
	if _, err := ParseBytes([]byte(`<a>text<b/></a>`)); err == nil {
		t.Error("mixed content parsed without error")
	}
}
