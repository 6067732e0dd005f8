package metadata

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/xmltree"
)

// fastRetry keeps the tests' back-off short.
var fastRetry = transport.Retry{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}

func faultBody(code, message string) string {
	return soapResponse(`<soapenv:Fault><faultcode>sf:` + code + `</faultcode><faultstring>` + code + `: ` + message +
		`</faultstring></soapenv:Fault>`)
}

const readOK = `<readMetadataResponse><result><records xsi:type="ConnectedApp"><fullName>A</fullName></records>` +
	`</result></readMetadataResponse>`

func saveResultXML(name, code string) string {
	if code == "" {
		return "<result><fullName>" + name + "</fullName><success>true</success></result>"
	}
	return "<result><errors><message>" + code + " happened</message><statusCode>" + code + "</statusCode></errors>" +
		"<fullName>" + name + "</fullName><success>false</success></result>"
}

func TestTransientFaultsRetriedForReads(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		requests int // requests of one call with fastRetry: 1 plus MaxRetries when every attempt fails
	}{
		{"server unavailable", http.StatusInternalServerError, faultBody("SERVER_UNAVAILABLE", "try later"), 4},
		{"concurrent requests", http.StatusInternalServerError,
			faultBody("REQUEST_LIMIT_EXCEEDED", "ConcurrentRequests (Concurrent API Requests) Limit exceeded."), 4},
		{"bad gateway", http.StatusBadGateway, "<html>502</html>", 4},
		{"gateway timeout", http.StatusGatewayTimeout, "<html>504</html>", 4},
		{"service unavailable", http.StatusServiceUnavailable, "<html>503</html>", 4},
		{"too many requests", http.StatusTooManyRequests, "<html>429</html>", 4},
		{"edge routing at most twice", transport.StatusEdgeRouting, "<html>420</html>", 3},
		{"invalid type", http.StatusInternalServerError, faultBody("INVALID_TYPE", "This type of metadata is not available"), 1},
		{"insufficient access", http.StatusInternalServerError, faultBody("INSUFFICIENT_ACCESS", "no access"), 1},
		{"unknown exception", http.StatusInternalServerError, faultBody("UNKNOWN_EXCEPTION", "boom"), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) { return tc.status, tc.body })
			_, err := c.Read(context.Background(), "ConnectedApp", []string{"A"})
			if err == nil {
				t.Fatal("Read succeeded against a failing server")
			}
			if got := len(ss.requests); got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

func TestReadSucceedsAfterTransientFaults(t *testing.T) {
	var calls atomic.Int32
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		if calls.Add(1) <= 2 {
			return http.StatusInternalServerError, faultBody("SERVER_UNAVAILABLE", "try later")
		}
		return http.StatusOK, soapResponse(readOK)
	})
	records, err := c.Read(context.Background(), "ConnectedApp", []string{"A"})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(records) != 1 || records[0] == nil {
		t.Errorf("records = %v, want A", records)
	}
	if len(ss.requests) != 3 {
		t.Errorf("requests = %d, want 3", len(ss.requests))
	}
}

func TestWritesNotRetriedOnTransientFaults(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusInternalServerError, faultBody("SERVER_UNAVAILABLE", "try later")
	})
	_, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("A")})
	var fault *Fault
	if !errors.As(err, &fault) || fault.Code != "SERVER_UNAVAILABLE" {
		t.Fatalf("error = %v, want the SERVER_UNAVAILABLE fault", err)
	}
	if !transport.IsTransient(err) {
		t.Errorf("IsTransient(%v) = false, want true so that the caller reads back", err)
	}
	if len(ss.requests) != 1 {
		t.Errorf("requests = %d, want 1: an update may have been applied", len(ss.requests))
	}
}

func TestCallerFaultIsNotTransient(t *testing.T) {
	_, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusInternalServerError, faultBody("INVALID_TYPE", "This type of metadata is not available")
	})
	_, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("A")})
	if err == nil || transport.IsTransient(err) {
		t.Errorf("error = %v, IsTransient = %v; want a caller error that is not transient", err, transport.IsTransient(err))
	}
}

func TestDailyLimitStopsClient(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusInternalServerError, faultBody("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	})
	_, err := c.Read(context.Background(), "ConnectedApp", []string{"A"})
	if !transport.IsDailyLimit(err) {
		t.Fatalf("error = %v, want a *transport.DailyLimitError", err)
	}
	if _, err := c.List(context.Background(), "ConnectedApp"); !transport.IsDailyLimit(err) {
		t.Errorf("second call error = %v, want the latched daily limit", err)
	}
	if len(ss.requests) != 1 {
		t.Errorf("requests = %d, want 1: no retry and no call after the limit", len(ss.requests))
	}
}

func TestUpdateRetriesLockedComponents(t *testing.T) {
	var calls atomic.Int32
	ss, c, _ := newSOAPServer(t, func(req soapRequest) (int, string) {
		if calls.Add(1) == 1 {
			return http.StatusOK, soapResponse("<updateMetadataResponse>" + saveResultXML("A", "UNABLE_TO_LOCK_ROW") +
				saveResultXML("B", rolledBackCode) + "</updateMetadataResponse>")
		}
		return http.StatusOK, soapResponse("<updateMetadataResponse>" + saveResultXML("A", "") + saveResultXML("B", "") +
			"</updateMetadataResponse>")
	})
	results, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("A"), testApp("B")})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	for _, r := range results {
		if !r.Success {
			t.Errorf("result %s failed after the retry: %v", r.FullName, r.Errors)
		}
	}
	if len(ss.requests) != 2 {
		t.Fatalf("requests = %d, want 2", len(ss.requests))
	}
	if got := sentNames(ss.requests[1]); got != "A,B" {
		t.Errorf("retry sent %q, want A,B", got)
	}
}

func TestLockRetrySendsOnlyFailedComponents(t *testing.T) {
	var calls atomic.Int32
	ss, c, _ := newSOAPServer(t, func(req soapRequest) (int, string) {
		if calls.Add(1) == 1 {
			return http.StatusOK, soapResponse("<updateMetadataResponse>" + saveResultXML("A", "") +
				saveResultXML("B", "ALREADY_IN_PROCESS") + "</updateMetadataResponse>")
		}
		return http.StatusOK, soapResponse("<updateMetadataResponse>" + saveResultXML("B", "") + "</updateMetadataResponse>")
	})
	results, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("A"), testApp("B")})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if len(results) != 2 || results[0].FullName != "A" || results[1].FullName != "B" {
		t.Fatalf("results = %+v, want A then B", results)
	}
	if !results[0].Success || !results[1].Success {
		t.Errorf("results = %+v, want both saved", results)
	}
	if len(ss.requests) != 2 {
		t.Fatalf("requests = %d, want 2", len(ss.requests))
	}
	if got := sentNames(ss.requests[1]); got != "B" {
		t.Errorf("retry sent %q, want only B", got)
	}
}

func TestLockRetrySkipsBatchWithCallerError(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse("<updateMetadataResponse>" + saveResultXML("A", "UNABLE_TO_LOCK_ROW") +
			saveResultXML("B", "DUPLICATE_VALUE") + "</updateMetadataResponse>")
	})
	results, err := c.Update(context.Background(), "ConnectedApp", []*xmltree.Element{testApp("A"), testApp("B")})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if results[0].Success || results[1].Success {
		t.Errorf("results = %+v, want both failed", results)
	}
	if len(ss.requests) != 1 {
		t.Errorf("requests = %d, want 1", len(ss.requests))
	}
}

func TestLockRetryGivesUpAfterMaxRetries(t *testing.T) {
	ss, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		return http.StatusOK, soapResponse("<deleteMetadataResponse>" + saveResultXML("A", "UNABLE_TO_LOCK_ROW") +
			"</deleteMetadataResponse>")
	})
	results, err := c.Delete(context.Background(), "ConnectedApp", []string{"A"})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if results[0].Success || results[0].Errors[0].StatusCode != "UNABLE_TO_LOCK_ROW" {
		t.Errorf("result = %+v, want the lock error", results[0])
	}
	if want := 1 + fastRetry.MaxRetries; len(ss.requests) != want {
		t.Errorf("requests = %d, want %d", len(ss.requests), want)
	}
}

func TestLockRetryStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, c, _ := newSOAPServer(t, func(soapRequest) (int, string) {
		cancel()
		return http.StatusOK, soapResponse("<renameMetadataResponse>" + saveResultXML("B", "UNABLE_TO_LOCK_ROW") +
			"</renameMetadataResponse>")
	})
	c.SetRetry(transport.Retry{WaitMin: time.Minute, WaitMax: time.Minute})
	start := time.Now()
	_, err := c.Rename(ctx, "ConnectedApp", "A", "B")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed >= time.Minute {
		t.Errorf("Rename returned after %v, not before the one-minute back-off", elapsed)
	}
}

// sentNames returns the fullNames of the components an update request sent.
func sentNames(req soapRequest) string {
	var names []string
	for _, md := range req.operation.ChildrenNamed("metadata") {
		name, _ := md.ChildText("fullName")
		names = append(names, name)
	}
	return strings.Join(names, ",")
}
