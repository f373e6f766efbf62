/** The seller center: a chunk of its own, loaded when a seller first opens it. */
export { SellerLayout } from "./SellerLayout";
export { Apply } from "./Apply";
export { Dashboard } from "./Dashboard";
export { NewProduct, Products, Stock } from "./Products";
export { Returns, Shipments } from "./Fulfilment";
export { Balance, ShopProfile } from "./Shop";
