"""The distributor portal's pages for folios: board, detail, actions, bulk, exports, documents."""
