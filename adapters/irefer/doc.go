// Package irefer is iRefer's inbound HTTP surface for refbridge: the seven
// methods of iRefer's API v1.0 (GET /v1.0/{license_key}.js/{method}, and
// the same under /v1/), authenticated and answered exactly as iRefer does,
// over any canonical.Backend.
//
// The package holds both directions. Inbound, NewSurface returns the
// surface (a surface.Surface the proxy serves). Outbound, NewBackend
// returns a canonical.Backend over iRefer's real API at api.irefer.io,
// through the generated client in client/irefer; client.Open reaches it by
// the scheme that client/ireferclient registers.
//
// Where iRefer's developer guide leaves a fact open, the surface does the
// following (the spec's x-refbridge-note entries say the same):
//
//   - Every outcome is HTTP 200. Any failure the guide describes (bad
//     license key, api_key or calling host, unknown campaign, missing or
//     malformed parameter, unknown participant or referrer code, unknown
//     method, wrong HTTP method) is the one error object
//     {"error":"input missing or incorrect","error_code":"irefer_api_<method>_err_401"},
//     <method> being the last path segment's letters ("unknown" without
//     any). Internal failures are the guide's "rare" null body.
//   - Both /v1.0/ and /v1/ serve every method.
//   - campaign_id must be the license key's own campaign (keys are per
//     campaign). api_key, when present, must be a site key of that
//     campaign. Without api_key the calling page's host, from Origin, else
//     Referer (an Origin of "null" counts as absent), must equal the host of
//     the campaign's URL: case-insensitive, port and scheme ignored, and a
//     leading "www." ignored on both sides. Such browser calls get
//     Access-Control-Allow-Origin (when Origin was sent) and Vary: Origin,
//     on errors too, and CORS preflights from the site are answered.
//   - Deliberately unlike iRefer, referrers, rewards and
//     specificActionSignups, which list every participant's email and name,
//     need the api_key: the license key sits in the customer's page and any
//     client but a browser can send a forged Origin, so a browser call
//     without api_key gets the error object. A campaign opts in to such
//     calls with its Native iRefer value "browser_lists" (true), settable
//     through the admin API. The guide's browser snippet (newSignup,
//     referrerStats for the given email, newSpecificAction, campaignStats)
//     needs no api_key.
//   - IDs are decimal strings: engine IDs through keyed per-kind
//     permutations, keyed per installation (see IDs), not the engine's
//     sequential numbers.
//   - referrals_made and referrals_count are credited referrals; campaign
//     referrals and the per-network counts are referred signups whatever
//     their state. conversion is "0.0%" without views; signups_today
//     counts from midnight UTC.
//   - confirmed is "1" unless the campaign's Native iRefer value
//     "confirmation_required" is set and the email is not verified; such an
//     unconfirmed participant is offered reward_next "None", with the
//     remaining count still given (0 once every tier is reached).
//   - newSignup with a known email answers with that participant,
//     unchanged; an unknown referrer_code makes an organic signup, which
//     omits referrer. phone and info_1..info_5 are kept as Native iRefer
//     values (phone is contact data here, not an identity).
//   - newSpecificAction accepts any action unless the campaign's Native
//     iRefer value "specific_action" names one; an unknown referrer code
//     is an error. Recording the action credits the referred person's
//     pending referral (campaigns qualifying on an event).
//   - Signup and action IPs are the caller's address for browser calls and
//     "" for server-side calls (whose address is the customer's server).
//   - rewards lists every earned reward of the campaign, newest first;
//     reward_quantity, reward_delivery, reward_goal_type and reward_to come
//     from the rule's Native iRefer values, else SINGLE, EACHTIME (repeating
//     tier) or ONCE, STANDARD, and REFFERER (sic) or REFERRED.
//   - Lists are newest first and unpaged; timestamps are UTC without
//     fractional seconds; slashes are not escaped.
//   - No rate limits are documented, so nothing is counted or reported.
package irefer
