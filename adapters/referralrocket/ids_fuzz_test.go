package referralrocket_test

import (
	"strconv"
	"testing"

	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/surface/surfacetest"
)

// FuzzIDs decodes arbitrary strings and renders arbitrary engine campaign
// and participant IDs with an installation's codec (surfacetest.CheckCodecInput).
func FuzzIDs(f *testing.F) {
	f.Add([]byte(nil), uint64(1), "JCu82f30F1")
	f.Add([]byte("secret"), uint64(1<<58-1), "GDsLiolORy")
	f.Fuzz(func(t *testing.T, secret []byte, n uint64, s string) {
		x := referralrocket.NewIDs(secret)
		encode := func(id string) string { enc, _ := x.EncodeCampaignID(id); return enc }
		surfacetest.CheckCodecInput(t, "campaign", encode, x.DecodeCampaignID, n, s)
		participant := func(id string) string { return strconv.FormatInt(x.EncodeParticipantID(id), 10) }
		surfacetest.CheckCodecInput(t, "participant", participant, x.DecodeParticipantID, n, s)
	})
}
