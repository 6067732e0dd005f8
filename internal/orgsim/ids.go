package orgsim

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Key prefixes of the record types the simulated org stores. Organization,
// User, Profile and PermissionSet prefixes are the documented ones.
//
// NOTE: the prefixes 0H4 for ConnectedApplication and 0J0 for
// SetupEntityAccess are unconfirmed.
const (
	prefixOrganization         = "00D"
	prefixUser                 = "005"
	prefixProfile              = "00e"
	prefixPermissionSet        = "0PS"
	prefixSetupEntityAccess    = "0J0"
	prefixConnectedApplication = "0H4"
	prefixQueryLocator         = "01g"
)

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// idSuffixAlphabet maps a 5-bit case mask to the character Salesforce appends
// for each 5-character chunk of a 15-character Id.
const idSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// newID returns the 18-character Id for the given key prefix and sequence
// number. The middle of the Id is fixed so that Ids read like real ones.
func newID(prefix string, seq int) string {
	var digits [9]byte
	n := seq
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = base62Digits[n%62]
		n /= 62
	}
	return withIDSuffix(prefix + "Hs0" + string(digits[:]))
}

// withIDSuffix appends the case-checksum suffix to a 15-character Id.
func withIDSuffix(id15 string) string {
	var suffix [3]byte
	for chunk := 0; chunk < 3; chunk++ {
		mask := 0
		for i := 0; i < 5; i++ {
			c := id15[chunk*5+i]
			if c >= 'A' && c <= 'Z' {
				mask |= 1 << i
			}
		}
		suffix[chunk] = idSuffixAlphabet[mask]
	}
	return id15 + string(suffix[:])
}

// normalizeID returns the 18-character form of a 15- or 18-character Id and
// whether id has the shape of a Salesforce Id at all.
func normalizeID(id string) (string, bool) {
	if len(id) != 15 && len(id) != 18 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if !isAlphanumeric(id[i]) {
			return "", false
		}
	}
	if len(id) == 15 {
		return withIDSuffix(id), true
	}
	if !strings.EqualFold(withIDSuffix(id[:15]), id) {
		return "", false
	}
	return withIDSuffix(id[:15]), true
}

// sameID reports whether two Ids, each in 15- or 18-character form, name the
// same record.
func sameID(a, b string) bool {
	na, okA := normalizeID(a)
	nb, okB := normalizeID(b)
	return okA && okB && na == nb
}

func isAlphanumeric(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

// randomString returns n characters drawn uniformly from alphabet.
func randomString(n int, alphabet string) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Sprintf("orgsim: reading random bytes: %v", err))
	}
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf)
}
