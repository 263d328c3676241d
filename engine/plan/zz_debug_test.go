package plan
import ("testing";"os";"bytes";"fmt")
func FuzzDebug(f *testing.F) {
	for _, data := range fuzzSeeds(f) { f.Add(data) }
	f.Fuzz(func(t *testing.T, data []byte) {
		os.WriteFile(fmt.Sprintf("/tmp/fuzzlast.%d", os.Getpid()), data, 0o644)
		ReadFile(bytes.NewReader(data))
	})
}
