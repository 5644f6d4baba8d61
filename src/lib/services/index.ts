// Entry point of the lib's composition root.
export { createServices, getServices, type Services, type ServicesOptions } from "./createServices";
