module tenant {
    requires org.tasklife;
}
