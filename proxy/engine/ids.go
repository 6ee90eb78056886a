package engine

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/refbridge/refbridge/proxy/store"
)

// Engine IDs are sequential and shared by every account. Vendor surfaces
// render them through keyed permutations so that a tenant cannot read the
// others' volumes from its own IDs; the keys derive from the
// installation's ID secret, kept in the store's settings (migration 004):
//
//   - a database that held accounts before installations had secrets is
//     marked legacy and renders with the fixed keys in the public source,
//     so every ID it handed out keeps resolving;
//   - any other database gets a random secret the first time Open sees
//     it, and keeps it for ever: rendered IDs are stable across restarts,
//     replicas and migrations, and differ between installations.
const (
	// idSecretSetting names the setting that holds the secret, hex.
	idSecretSetting = "id_secret"
	// legacyIDs is its value in a legacy database.
	legacyIDs = "legacy"
	// idSecretBytes is the length of a generated secret.
	idSecretBytes = 32
)

// IDSecret returns the installation's ID secret, from which vendor
// surfaces derive the keys of the IDs they render (surface.Config's
// IDSecret). It is nil for a legacy database, whose IDs stay those of the
// fixed keys, and for an engine made by New, which never reads settings:
// use Open.
func (e *Engine) IDSecret() []byte { return slices.Clone(e.idSecret) }

// loadIDSecret reads the store's ID secret, creating it when the store has
// none. Processes opening one store together agree on the first one
// stored.
func loadIDSecret(ctx context.Context, st store.Store, random io.Reader) ([]byte, error) {
	var v string
	err := st.View(ctx, func(tx store.Tx) (err error) {
		v, err = tx.Setting(ctx, idSecretSetting)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		b := make([]byte, idSecretBytes)
		if _, err := io.ReadFull(random, b); err != nil {
			return nil, fmt.Errorf("engine: generate the ID secret: %w", err)
		}
		err = st.Update(ctx, func(tx store.Tx) (err error) {
			v, err = tx.InitSetting(ctx, idSecretSetting, hex.EncodeToString(b))
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("engine: read the ID secret: %w", err)
	}
	if v == legacyIDs {
		return nil, nil
	}
	secret, err := hex.DecodeString(v)
	if err != nil || len(secret) != idSecretBytes {
		return nil, fmt.Errorf("engine: the stored ID secret is malformed")
	}
	return secret, nil
}
