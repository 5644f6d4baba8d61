// Entry point of the lib's composition root.
export {
  createServices,
  getServices,
  setServices,
  type Services,
  type ServicesOptions,
} from "./createServices";
