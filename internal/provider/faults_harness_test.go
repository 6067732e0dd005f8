package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectedapps/terraform-provider-salesforce/internal/orgsim"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/auth"
	"github.com/connectedapps/terraform-provider-salesforce/internal/salesforce/transport"
)

// The fault tests run the provider binary through the Terraform CLI against
// a simulated org with injected faults, expiring tokens and many runs. They
// take minutes, so they run only with SALESFORCE_FAULT_TESTS=1, which
// make test-faults sets.
const faultTestsVariable = "SALESFORCE_FAULT_TESTS"

// Environment the fault tests read besides faultTestsVariable.
const (
	// faultSummaryVariable names a file that each fault test appends one
	// summary line to.
	faultSummaryVariable = "SALESFORCE_FAULT_SUMMARY"
	// faultProviderDirVariable names a directory holding a built
	// terraform-provider-salesforce; the tests build one when it is unset.
	faultProviderDirVariable = "SALESFORCE_FAULT_PROVIDER_DIR"
)

// tfCommandTimeout bounds one Terraform command of the fault tests.
const tfCommandTimeout = 5 * time.Minute

// faultCredentials of the simulated orgs of the fault tests.
const (
	faultClientID     = "3MVG9FAULTTESTS"
	faultClientSecret = "FaultClientSecret0A1B2C3D" //nolint:gosec // test fixture, not a credential
)

// Grants of the fault tests' configurations: two profiles and two
// permission sets of the simulated org.
var (
	faultProfiles       = []string{"System Administrator", "Standard User"}
	faultPermissionSets = map[string]string{"Integration_Users": "Integration Users", "Sync_Operators": "Sync Operators"}
)

func skipUnlessFaultTests(t *testing.T) {
	t.Helper()
	if os.Getenv(faultTestsVariable) != "1" {
		t.Skipf("fault tests run only with %s=1; make test-faults sets it", faultTestsVariable)
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; make test-faults sets it from scripts/terraform-cli.sh")
	}
}

var (
	providerBuildOnce sync.Once
	providerBuildDir  string
	providerBuildErr  error
)

// providerDir returns a directory holding the provider binary, built once
// per test process unless faultProviderDirVariable names one.
func providerDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv(faultProviderDirVariable); dir != "" {
		return dir
	}
	providerBuildOnce.Do(func() {
		// Every test of the process shares the binary, so it outlives each
		// test's t.TempDir. make test-faults builds it and sets
		// faultProviderDirVariable instead.
		//nolint:usetesting // shared by the tests of the process, see above
		providerBuildDir, providerBuildErr = os.MkdirTemp("", "salesforce-fault-provider-")
		if providerBuildErr != nil {
			return
		}
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			providerBuildErr = err
			return
		}
		//nolint:gosec // builds this module's provider into the test's own directory
		cmd := exec.Command("go", "build", "-o", filepath.Join(providerBuildDir, "terraform-provider-salesforce"), ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
		if out, err := cmd.CombinedOutput(); err != nil {
			providerBuildErr = fmt.Errorf("building the provider: %w\n%s", err, out)
		}
	})
	if providerBuildErr != nil {
		t.Fatal(providerBuildErr)
	}
	return providerBuildDir
}

// faultOrg is a simulated org for the fault tests, with a client of the
// test's own that checks what the org holds.
type faultOrg struct {
	server *orgsim.Server
	client *salesforce.Client
}

// startFaultOrg starts a simulated org with opts, the client
// faultClientID, the grants of faultProfiles and faultPermissionSets, and
// the connected apps apps loaded as existing ones.
func startFaultOrg(t *testing.T, opts orgsim.Options, apps ...string) *faultOrg {
	t.Helper()
	opts.Clients = append(opts.Clients, orgsim.Client{
		ID: faultClientID, Secret: faultClientSecret, RunAsUsername: "integration@example.com",
	})
	server, err := orgsim.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulated org: %v", err)
	}
	t.Cleanup(server.Close)
	server.Org.AddProfile("Admin", faultProfiles[0])
	server.Org.AddProfile("Standard", faultProfiles[1])
	for name, label := range faultPermissionSets {
		server.Org.AddPermissionSet(name, label, "")
	}
	for i, app := range apps {
		key := fmt.Sprintf("FAULT%02d%s", i, strings.ToUpper(randomHex(t, 10)))
		if err := server.Org.LoadConnectedApp(app, []byte(fmt.Sprintf(testAppXML, key)), orgsim.LoadProps{}); err != nil {
			t.Fatalf("loading %s: %v", app, err)
		}
	}

	return &faultOrg{server: server, client: faultClient(t, server.URL, faultClientSecret)}
}

// faultClient signs in to the org at url as faultClientID with secret. It
// uses client credentials, so that it renews its session when the org's
// tokens expire, and retries quickly.
func faultClient(t *testing.T, url, secret string) *salesforce.Client {
	t.Helper()
	client, err := salesforce.New(context.Background(), salesforce.Config{
		Auth:  auth.Config{LoginURL: url, ClientID: faultClientID, ClientSecret: secret},
		Retry: transport.Retry{MaxRetries: 12, WaitMin: 5 * time.Millisecond, WaitMax: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("signing in to the simulated org: %v", err)
	}
	return client
}

// clientCredentialsEnv is the provider's environment for the org's client
// credentials flow.
func (o *faultOrg) clientCredentialsEnv() []string {
	return []string{
		"SALESFORCE_LOGIN_URL=" + o.server.URL,
		"SALESFORCE_CLIENT_ID=" + faultClientID,
		"SALESFORCE_CLIENT_SECRET=" + faultClientSecret,
	}
}

// workspace is a Terraform working directory that runs the provider binary
// through dev_overrides.
type workspace struct {
	t       *testing.T
	dir     string
	env     []string
	logPath string
}

// newWorkspace returns a workspace whose commands get env besides the
// Terraform settings.
func newWorkspace(t *testing.T, env ...string) *workspace {
	t.Helper()
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "dev.tfrc")
	overrides := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"connectedapps/salesforce", providerDir(t))
	if err := os.WriteFile(cliConfig, []byte(overrides), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &workspace{t: t, dir: dir, logPath: filepath.Join(dir, "terraform.log")}
	w.env = append(cleanEnv(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_INPUT=0")
	w.env = append(w.env, env...)
	return w
}

// logProvider sends the provider's log lines at level, and none of
// Terraform's own, to the workspace's log file.
func (w *workspace) logProvider(level string) {
	w.env = append(w.env, "TF_LOG_PROVIDER="+level, "TF_LOG_PATH="+w.logPath)
}

// logAll sends every log line at level, Terraform's and the provider's, to
// the workspace's log file, as TF_LOG does.
func (w *workspace) logAll(level string) {
	w.env = append(w.env, "TF_LOG="+level, "TF_LOG_PATH="+w.logPath)
}

// cleanEnv returns the process environment without the variables that
// would change how Terraform or the provider runs.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "SALESFORCE_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

const faultTerraformBlock = `terraform {
  required_providers {
    salesforce = {
      source = "connectedapps/salesforce"
    }
  }
}

provider "salesforce" {}
`

// writeConfig replaces the workspace's main.tf.
func (w *workspace) writeConfig(config string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs one Terraform command and returns its combined output and exit
// code.
func (w *workspace) run(args ...string) (string, int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tfCommandTimeout)
	defer cancel()
	//nolint:gosec // runs the Terraform CLI that make test-faults selects, with the test's own arguments
	cmd := exec.CommandContext(ctx, os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exitErr):
		return out.String(), exitErr.ExitCode()
	default:
		w.t.Fatalf("running terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
		return "", -1
	}
}

// apply runs terraform apply at -parallelism=10 and fails the test on an
// error.
func (w *workspace) apply() {
	w.t.Helper()
	if out, code := w.run("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"); code != 0 {
		w.t.Fatalf("terraform apply exited with %d:\n%s", code, out)
	}
}

// planIsEmpty runs terraform plan -detailed-exitcode and fails the test
// unless it finds no change.
func (w *workspace) planIsEmpty() {
	w.t.Helper()
	out, code := w.run("plan", "-input=false", "-no-color", "-detailed-exitcode", "-parallelism=10")
	if code != 0 {
		w.t.Fatalf("terraform plan after the apply exited with %d (2 means changes):\n%s", code, out)
	}
}

func (w *workspace) readFile(name string) string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, name)) //nolint:gosec // a file of the test's workspace
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	return string(b)
}

// renewalsPattern matches the provider's log line of a session renewal,
// which carries the count of its client so far.
var renewalsPattern = regexp.MustCompile(`Renewed the Salesforce session after INVALID_SESSION_ID.*session_renewals=(\d+)`)

// maxSessionRenewals returns the highest session_renewals value in a
// provider log: the most renewals one provider client, and so one provider
// process, counted.
func maxSessionRenewals(log string) int {
	highest := 0
	for _, m := range renewalsPattern.FindAllStringSubmatch(log, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > highest {
			highest = n
		}
	}
	return highest
}

// grantKeys returns the grants of the app as "profile:<name>" and
// "permission_set:<name>" keys, sorted.
func (o *faultOrg) grantKeys(ctx context.Context, app string) ([]string, error) {
	props, err := o.client.FindConnectedAppProperties(ctx, app)
	if err != nil {
		return nil, err
	}
	grants, err := o.client.FindGrants(ctx, props.ID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(grants))
	for _, g := range grants {
		if g.IsOwnedByProfile {
			keys = append(keys, "profile:"+g.ProfileName)
		} else {
			keys = append(keys, "permission_set:"+g.ParentName)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

func sortedKeys(profiles, permissionSets []string) []string {
	var keys []string
	for _, p := range profiles {
		keys = append(keys, "profile:"+p)
	}
	for _, ps := range permissionSets {
		keys = append(keys, "permission_set:"+ps)
	}
	sort.Strings(keys)
	return keys
}

var summaryMu sync.Mutex

// reportSummary logs one line of the test's summary and appends it to the
// file faultSummaryVariable names.
func reportSummary(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf("%s: %s", t.Name(), fmt.Sprintf(format, args...))
	t.Log(line)
	path := os.Getenv(faultSummaryVariable)
	if path == "" {
		return
	}
	summaryMu.Lock()
	defer summaryMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // the path make test-faults sets
	if err != nil {
		t.Errorf("writing the summary: %v", err)
		return
	}
	defer func() { _ = f.Close() }()
	if _, err := fmt.Fprintln(f, line); err != nil {
		t.Errorf("writing the summary: %v", err)
	}
}
