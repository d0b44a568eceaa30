// The API's messages that pages show to people (the API itself speaks English).
// Listing them inside t() puts them in the translation catalogue; app.js's tr()
// finds them, with numbers matched as {0}, {1}.
"use strict";

const API_MESSAGES = [
  // fields of a job
  t("Missing data for required field."), t("Not a valid number."), t("Not a valid integer."),
  t("Not a valid string."), t("Not a valid datetime."), t("Unknown field."),
  t("Field may not be null."), t("Invalid input type."),
  t("must be a latitude between -90 and 90"), t("must be a longitude between -180 and 180"),
  t("must be between {0} and {1}"), t("must be after ready_at"), t("must be in the future"),
  t("give both lat and lon, or neither"), t("required: the shop has no location"),
  t("give lat and lon, or an address"), t("give lon with lat"), t("give lat with lon"),
  t("required (or dropoffs, for several)"), t("give a slot or ready_at/deliver_by, not both"),
  t("this shop has no location: give a pickup"), t("deliver_by is already past"),
  t("deliver_by must be after ready_at"),
  t("Longer than maximum length {0}."), t("Length must be between {0} and {1}."),
  t("Shorter than minimum length {0}."), t("required"), t("Must be greater than or equal to {0}."),
  // the recipient's details
  t("Not a valid email address."), t("{0} to {1} digits"),
  // a delivery no vehicle of the coop can carry
  t("more than any vehicle of the coop carries (largest {0} kg)"),
  t("more than any vehicle of the coop carries (largest {0} L)"),
  t("more than any vehicle of the coop carries (largest {0} kg, {1} L)"),
  t("no vehicle of the coop carries {0} kg and {1} L together"),
  t("no vehicle of the coop can carry this delivery: the largest carries {0} kg and {1} L"),
  // pricing rules the coop has by default
  t("default"), t("minimum price"),
  // CSV import
  t("the file is empty"), t("the file has a header but no rows"), t("the file is over 2 MB; split it"),
  t("the file is not UTF-8 text (save it as CSV UTF-8)"),
  t("{0} row(s) have problems; nothing was imported"),
  // courier and dispatch
  t("required to go on shift"), t("your position is needed to go on shift"),
  t("this offer has expired"), t("positions are only taken while on shift"),
  t("a break is taken on shift"), t("you are already on a break"), t("you are not on a break"),
  t("say why you override the plan"), t("say why the delivery failed"),
  t("the run is already this courier's"), t("a dispatch cycle is already running"),
  t("this run is not yours"), t("this job is not on your run"),
  // reasons a courier picks when a delivery fails
  t("recipient absent"), t("wrong address"), t("refused by recipient"), t("parcel damaged"),
  // the council's rules: the template's reason, a publication refused
  t("published template: French road-transport convention"), t("must not be in the past"),
  t("say why the rules change"), t("write what you contest"),
];
